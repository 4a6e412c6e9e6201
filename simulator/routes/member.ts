/** Feed, auth wall, interstitials, sign-out and the guest home page. */
import { clearCookie, isLocalPath, redirect, sendHtml, type Ctx } from '../http';
import { ensureBrowserCookies, requireSession } from '../flow';
import {
  addPhonePage,
  accountReviewPage,
  authwallPage,
  feedPage,
  guestHomePage,
  manageAccountPage,
} from '../pages/member';

/** GET / : the feed when signed in, else the guest home page. */
export function getHome(ctx: Ctx): void {
  if (ctx.state.session(ctx.cookies.get('li_at'))) return redirect(ctx, '/feed/');
  ensureBrowserCookies(ctx);
  sendHtml(ctx, guestHomePage());
}

/** GET /feed/ */
export function getFeed(ctx: Ctx): void {
  const session = requireSession(ctx);
  if (session) sendHtml(ctx, feedPage(session.email));
}

/** GET /authwall */
export function getAuthwall(ctx: Ctx): void {
  ensureBrowserCookies(ctx);
  const back = ctx.url.searchParams.get('sessionRedirect');
  sendHtml(ctx, authwallPage(isLocalPath(back) ? back : '/feed/'));
}

/** GET /check/account-review: the `unknownScreenNextLogin` fault's page, a screen no one knows. */
export function getAccountReview(ctx: Ctx): void {
  sendHtml(ctx, accountReviewPage(ctx.url.searchParams.get('member') ?? ''));
}

/** GET /check/add-phone and /check/manage-account. */
export function getInterstitial(ctx: Ctx): void {
  const session = requireSession(ctx);
  if (!session) return;
  const page =
    ctx.url.pathname === '/check/add-phone' ? addPhonePage() : manageAccountPage(session.email);
  sendHtml(ctx, page);
}

/** Skip / Confirm / dismiss of an interstitial: it is not shown again; on to the feed. */
export function dismissInterstitial(ctx: Ctx): void {
  const session = requireSession(ctx);
  if (!session) return;
  const account = ctx.state.account(session.email);
  if (account) account.interstitial = 'none';
  redirect(ctx, '/feed/', ctx.req.method === 'POST' ? 303 : 302);
}

/** GET /m/logout/: ends this session. */
export function getLogout(ctx: Ctx): void {
  const session = ctx.state.session(ctx.cookies.get('li_at'));
  if (session) {
    const account = ctx.state.account(session.email);
    session.revoked = true;
    ctx.state.sessions.delete(session.token);
    account?.sessions.delete(session.token);
  }
  clearCookie(ctx, 'li_at');
  clearCookie(ctx, 'liap');
  redirect(ctx, '/');
}
