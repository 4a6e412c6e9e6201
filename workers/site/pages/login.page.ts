/**
 * The sign-in screens: classic form (§1.1), "Welcome back" picker (§1.3) and the 2025–26
 * variant without a form (§1.4: inputs by autocomplete, a `type=button` "Sign in", the first of
 * two panel copies hidden).
 */
import { clearErrors, clickAny, fillAny, pickVisible, setChecked } from '../actions';
import { WrongScreenError } from '../errors';
import type { Screen } from '../screen';
import { ACTIONS, PATHS, PROBES } from '../site-map';
import { SitePage } from './base.page';
import { evaluateIn } from '../in-page';

/** Options of {@link LoginPage.signIn}. */
export interface SignInOptions {
  /** "Keep me logged in". Default true (the site's own default, §1.1). */
  readonly remember?: boolean;
}

/** Page object of `/login`. */
export class LoginPage extends SitePage {
  /** Opens `/login` and returns the screen it shows (a live session lands on the feed). */
  async open(): Promise<Screen> {
    await this.goto(PATHS.login);
    return this.detect();
  }

  /**
   * Signs in on whichever login variant is showing and returns the screen that follows
   * (feed, a checkpoint, bad_credentials, …). A screen that is not a login form is returned
   * untouched, for the caller to decide.
   */
  async signIn(email: string, password: string, opts: SignInOptions = {}): Promise<Screen> {
    const remember = opts.remember ?? true;
    let screen = await this.detect();
    // A second round covers a site that moves the browser to the other UI after a submit and
    // asks again (the simulator's "rebucket"; LinkedIn runs both UIs at once, §1.4).
    for (let round = 0; round < 2; round++) {
      if (screen.kind !== 'login' && screen.kind !== 'bad_credentials') return screen;
      if (screen.kind === 'login' && screen.variant === 'welcome_back') {
        screen = await this.passPicker(email);
      }
      const modern = (await this.page.$(PROBES.loginForm)) === null;
      const filled = modern
        ? 'modern'
        : (await this.page.$(PROBES.rememberMeDiv))
          ? 'welcome_back'
          : 'classic';
      if (modern) await this.fillModern(email, password, remember);
      else await this.fillClassic(email, password, remember);
      screen = await this.detect(
        (s) => s.kind !== 'login' || s.banner !== null || s.variant !== filled,
      );
      const rebucketed =
        screen.kind === 'login' && screen.banner === null && screen.variant !== filled;
      if (!rebucketed) return screen;
    }
    return screen;
  }

  /** The picker: our member → reveal the password; someone else → "another account". */
  private async passPicker(email: string): Promise<Screen> {
    const shown = await evaluateIn(
      this.page,
      (sel: string) => Array.from(document.querySelectorAll(sel)).map((el) => el.textContent ?? ''),
      `${PROBES.rememberMeDiv} .member-profile__email, ${PROBES.memberButton}`,
    );
    const ours = shown.some((t) => t.toLowerCase().includes(email.toLowerCase()));
    const hasPassword = (await pickVisible(this.page, 'input[type=password]', 'li-pw')) !== null;
    if (ours && hasPassword) return this.detect();
    if (ours) {
      await clickAny(this.page, ACTIONS.rememberedMember, this.act);
      await this.page
        .locator('input[type=password]')
        .setVisibility('visible')
        .setTimeout(this.timeoutMs)
        .wait();
      return this.detect();
    }
    await clickAny(this.page, ACTIONS.otherAccount, this.act);
    const next = await this.detect((s) => !(s.kind === 'login' && s.variant === 'welcome_back'));
    if (next.kind !== 'login') throw new WrongScreenError('login form after picker', next);
    return next;
  }

  private async fillClassic(email: string, password: string, remember: boolean): Promise<void> {
    const user = await pickVisible(this.page, PROBES.username, 'li-user');
    if (user) await fillAny(this.page, [user], email, this.act);
    await fillAny(this.page, ['#password', 'input[name=session_password]'], password, this.act);
    await setChecked(this.page, '#rememberMeOptIn-checkbox', remember);
    await clearErrors(this.page);
    await clickAny(this.page, ACTIONS.signInSubmit, this.act);
  }

  /** Acts inside the visible panel only: the first copy is hidden (§1.4). */
  private async fillModern(email: string, password: string, remember: boolean): Promise<void> {
    const tagged = await evaluateIn(
      this.page,
      (userSel: string, pwSel: string, attr: string) => {
        const shown = (e: Element): boolean =>
          e.getBoundingClientRect().width > 0 && e.checkVisibility({ visibilityProperty: true });
        const pw = Array.from(document.querySelectorAll(pwSel)).find(shown);
        if (!pw) return false;
        let panel: Element | null = pw.parentElement;
        while (panel && !Array.from(panel.querySelectorAll(userSel)).some(shown)) {
          panel = panel.parentElement;
        }
        if (!panel) return false;
        const user = Array.from(panel.querySelectorAll(userSel)).find(shown);
        const box = Array.from(panel.querySelectorAll('input[type=checkbox]')).find(shown);
        const button = Array.from(panel.querySelectorAll('button, [role=button]')).find(
          (b) =>
            shown(b) &&
            /^sign in$/i.test((b.getAttribute('aria-label') ?? b.textContent ?? '').trim()),
        );
        user?.setAttribute(attr, 'li-user');
        pw.setAttribute(attr, 'li-pw');
        box?.setAttribute(attr, 'li-remember');
        button?.setAttribute(attr, 'li-submit');
        return Boolean(user);
      },
      PROBES.modernUser,
      PROBES.modernPassword,
      'data-li2fa-pick',
    );
    if (!tagged) throw new WrongScreenError('modern login panel', await this.detect());
    await fillAny(this.page, ['[data-li2fa-pick="li-user"]'], email, this.act);
    await fillAny(this.page, ['[data-li2fa-pick="li-pw"]'], password, this.act);
    await setChecked(this.page, '[data-li2fa-pick="li-remember"]', remember);
    await clearErrors(this.page);
    await clickAny(
      this.page,
      ['[data-li2fa-pick="li-submit"]', '::-p-aria([name="Sign in"][role="button"])'],
      this.act,
    );
  }
}
