# The fleet's one image: the api, both workers and the demo simulator (docker-compose.yml
# picks the command). No secrets here: they arrive as environment variables at run time.
FROM node:20-bookworm-slim

# Debian's Chromium for Puppeteer (puppeteer-core downloads no browser).
RUN apt-get update \
  && apt-get install -y --no-install-recommends chromium ca-certificates \
  && rm -rf /var/lib/apt/lists/*

ENV CHROMIUM_PATH=/usr/lib/chromium/chromium \
    NODE_ENV=production \
    PATH=/app/node_modules/.bin:$PATH

WORKDIR /app

# Dependencies first, so a source change reuses this layer. tsx, which runs the TypeScript, is
# a devDependency: keep dev dependencies (npm ci would drop them under NODE_ENV=production).
COPY package.json package-lock.json ./
RUN npm ci --include=dev --no-audit --no-fund && npm cache clean --force

# The source (.dockerignore keeps out .env, .dev, .git and node_modules). Owned by root and
# read-only to the user the processes run as.
COPY . .

USER node

CMD ["tsx", "api/main.ts"]
