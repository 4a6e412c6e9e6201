/** The page shell shared by every screen, plus small helpers for hidden inputs and banners. */
import { html, type HtmlValue, type SafeHtml } from '../html';

/** Options of {@link layout}. */
export interface LayoutOptions {
  readonly bodyClass?: string;
  /** Inline script body (already safe); only the app poll and the modern login use one. */
  readonly script?: SafeHtml;
  readonly head?: SafeHtml;
}

/** A complete HTML document. */
export function layout(title: string, body: HtmlValue, opts: LayoutOptions = {}): SafeHtml {
  return html`<!DOCTYPE html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title}</title>
        <style>
          .hidden,
          .hidden__imp {
            display: none !important;
          }
          body {
            font-family: sans-serif;
            margin: 0;
          }
          main {
            max-width: 560px;
            margin: 24px auto;
            padding: 0 16px;
          }
          .error__label,
          [role='alert'] {
            color: #b24020;
          }
        </style>
        ${opts.head}
      </head>
      <body class="${opts.bodyClass ?? ''}">
        ${body}
        ${
          opts.script
            ? html`<script>
                ${opts.script};
              </script>`
            : null
        }
      </body>
    </html>`;
}

/** Hidden `<input>`s for a name → value record (values escaped). */
export function hiddenInputs(fields: Record<string, string>): SafeHtml {
  return html`${Object.entries(fields).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`,
  )}`;
}

/** The classic checkpoint shell (spec §2.1) around a challenge body. */
export function checkpointShell(
  heading: SafeHtml,
  error: string | null,
  body: HtmlValue,
  wrapperId?: string,
): SafeHtml {
  const inner = html`${heading}
    <div class="body__banner-wrapper">
      <div class="body__banner--error${error ? '' : ' hidden__imp'}">
        <span role="alert">${error ?? ''}</span>
      </div>
    </div>
    ${body}`;
  return html`<div id="app__container" class="glimmer">
    <main class="app__content" role="main">
      ${wrapperId ? html`<div id="${wrapperId}">${inner}</div>` : inner}
    </main>
    <div id="loader-wrapper" class="hidden"></div>
  </div>`;
}

/** A generic error page (spec §2.8 "Something went wrong"). */
export function errorPage(heading: string, detail: string): SafeHtml {
  return layout(
    'LinkedIn',
    html`<div id="app__container">
      <main class="app__content">
        <h1>${heading}</h1>
        <p>${detail}</p>
      </main>
    </div>`,
  );
}
