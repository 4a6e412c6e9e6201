/**
 * Jest projects, one per test layer (bull-board style).
 * @swc/jest strips types only; `npm run typecheck` keeps type checking in CI.
 * otplib 13's dependencies @noble/* and @scure/* are ESM-only, so they are transformed too.
 */
const base = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  transformIgnorePatterns: ['/node_modules/(?!(@noble|@scure|otplib|@otplib)/)'],
  rootDir: __dirname,
};

module.exports = {
  projects: [
    // 30 s: a safety net, not a speed check. Three workers share two cores with Chromium, and a
    // CPU-bound unit test (QR decoding) has run past jest's default 5 s under that load.
    // (`testTimeout` is global-only in jest; per project it takes a setup file.)
    {
      ...base,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/helpers/timeout-30s.ts'],
    },
    {
      ...base,
      displayName: 'pages',
      testMatch: ['<rootDir>/test/pages/**/*.test.ts'],
      setupFiles: ['<rootDir>/test/helpers/load-services-env.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/helpers/timeout-30s.ts'],
    },
    {
      ...base,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.int.test.ts'],
      setupFiles: ['<rootDir>/test/helpers/load-services-env.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/helpers/timeout-60s.ts'],
    },
  ],
};
