/** Signed-in and guest pages: feed (spec §1.6 markers), auth wall, interstitials (§2.7). */
import { html, type SafeHtml } from '../html';
import { layout } from './layout';

/** The feed with every "logged-in" marker of spec §1.6. */
export function feedPage(email: string): SafeHtml {
  return layout(
    'Feed | LinkedIn',
    html`<header id="global-nav" class="global-nav">
        <nav aria-label="Primary Navigation">
          <input id="global-nav-typeahead" type="search" aria-label="Search" placeholder="Search" />
          <a href="/feed/">Home</a>
          <a href="/mypreferences/d/two-factor-authentication">Settings</a>
          <span class="global-nav__me">Me</span>
          <a href="/m/logout/">Sign out</a>
        </nav>
      </header>
      <main class="app__content" role="main">
        <aside class="feed-identity-module">
          <p class="feed-identity-module__member">${email}</p>
        </aside>
        <section class="feed">
          <h1 class="visually-hidden">Feed</h1>
          <p>No new posts.</p>
        </section>
      </main>`,
  );
}

/** The auth wall shown to signed-out visitors of a protected page. */
export function authwallPage(sessionRedirect: string): SafeHtml {
  const href = `/login?session_redirect=${encodeURIComponent(sessionRedirect)}`;
  return layout(
    'Sign Up | LinkedIn',
    html`<main class="authwall" role="main">
      <h1>Join LinkedIn to see more</h1>
      <a
        class="authwall-join-form__form-toggle--bottom"
        href="${href}"
        data-tracking-control-name="auth_wall_desktop-login-toggle"
        >Sign in</a
      >
      <a href="/signup/cold-join">Join now</a>
    </main>`,
  );
}

/**
 * `/check/account-review`: not a LinkedIn screen (fault `unknownScreenNextLogin`). It shows
 * values a snapshot must mask: the member's e-mail in an input, a key-like reference and a
 * six-digit number.
 */
export function accountReviewPage(email: string): SafeHtml {
  return layout(
    'LinkedIn',
    html`<main class="app__content" role="main">
      <h1>Review your recent account activity</h1>
      <p>Reference JBSWY3DPEHPK3PXPJBSWY3DP, case 482913.</p>
      <form method="post" action="/check/account-review">
        <input type="email" name="member" value="${email}" />
        <button type="submit" class="primary-action">Looks good</button>
      </form>
    </main>`,
  );
}

/** `/check/add-phone`: skippable (spec §2.7). */
export function addPhonePage(): SafeHtml {
  return layout(
    'LinkedIn',
    html`<main class="app__content" role="main">
      <h2>Add a phone number for security</h2>
      <p>We'll use it to help you sign in if you ever lose access to your account.</p>
      <form method="post" action="/checkpoint/post-login/security/dismiss-phone-event">
        <button type="submit" class="secondary-action" aria-label="Skip">Skip</button>
      </form>
    </main>`,
  );
}

/** `/check/manage-account`: "confirm your account info" with Confirm and Skip (spec §2.7). */
export function manageAccountPage(email: string): SafeHtml {
  return layout(
    'LinkedIn',
    html`<main class="app__content" role="main">
      <h1>Please confirm your account info</h1>
      <p>Is ${email} still your email address?</p>
      <form method="post" action="/check/manage-account">
        <button type="submit" class="primary-action">Confirm</button>
        <button
          type="button"
          class="secondary-action"
          onclick="location.href='/check/manage-account/skip'"
        >
          Skip
        </button>
      </form>
    </main>`,
  );
}

/** The guest home page (spec §0). */
export function guestHomePage(): SafeHtml {
  return layout(
    'LinkedIn: Log In or Sign Up',
    html`<nav>
        <a
          class="nav__button-secondary"
          data-tracking-control-name="guest_homepage-basic_nav-header-signin"
          href="/login?fromSignIn=true&trk=guest_homepage-basic_nav-header-signin"
          >Sign in</a
        >
      </nav>
      <main><h1>Welcome to your professional community</h1></main>`,
  );
}
