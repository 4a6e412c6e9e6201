/**
 * The control API under /__sim (JSON) for tests, the demo and benchmarks. Bodies are validated
 * with zod; a malformed request is a 400 whose message names the bad field.
 */
import {
  accountView,
  applyFields,
  createAccount,
  createMany,
  parse,
  patchSchema,
} from './accounts';
import { BadRequestError, sendEmpty, sendJson, type Ctx } from './http';
import { faultsSchema, noFaults, settingsPatchSchema } from './settings';
import type { SimState } from './state';
import type { Account } from './types';

export { createAccount } from './accounts';

function faultsView(s: SimState): Record<string, unknown> {
  return {
    ...s.faults,
    rateLimitNextLogin: [...s.faults.rateLimitNextLogin],
    unknownScreenNextLogin: [...s.faults.unknownScreenNextLogin],
  };
}

function accountOf(ctx: Ctx): Account {
  let email = '';
  try {
    email = decodeURIComponent(ctx.params[0] ?? '');
  } catch {
    throw new BadRequestError('email: not URL-encoded correctly');
  }
  const a = ctx.state.account(email);
  if (!a) throw new BadRequestError(`email: no account ${email}`, 404);
  return a;
}

function answerApproval(ctx: Ctx, state: 'approved' | 'denied'): void {
  const a = accountOf(ctx);
  if (!a.approval || ctx.state.approvalState(a.approval) !== 'pending') {
    throw new BadRequestError('approval: nothing pending for this account', 409);
  }
  a.approval.state = state;
  a.approval = null;
  sendJson(ctx, accountView(ctx.state, a));
}

/** A control route: method, path pattern (one capture at most), handler. */
export type ControlRoute = [string, RegExp, (ctx: Ctx) => void | Promise<void>];

/** Every /__sim route. */
export const CONTROL_ROUTES: ControlRoute[] = [
  [
    'GET',
    /^\/__sim\/health$/,
    (ctx) =>
      sendJson(ctx, {
        ok: true,
        accounts: ctx.state.accounts.size,
        sessions: ctx.state.sessions.size,
      }),
  ],
  [
    'POST',
    /^\/__sim\/reset$/,
    (ctx) => {
      ctx.state.reset();
      sendEmpty(ctx);
    },
  ],
  [
    'POST',
    /^\/__sim\/accounts$/,
    async (ctx) => {
      const body = await ctx.json();
      if (!Array.isArray(body)) {
        return sendJson(ctx, accountView(ctx.state, createAccount(ctx.state, body)), 201);
      }
      createMany(ctx.state, body);
      sendJson(ctx, { created: body.length }, 201);
    },
  ],
  [
    'GET',
    /^\/__sim\/accounts\/([^/]+)$/,
    (ctx) => sendJson(ctx, accountView(ctx.state, accountOf(ctx))),
  ],
  [
    'PATCH',
    /^\/__sim\/accounts\/([^/]+)$/,
    async (ctx) => {
      const a = accountOf(ctx);
      const input = parse(patchSchema, await ctx.json());
      applyFields(ctx.state, a, input);
      if (input.revokeSessions) ctx.state.revokeSessions(a);
      sendJson(ctx, accountView(ctx.state, a));
    },
  ],
  ['POST', /^\/__sim\/accounts\/([^/]+)\/approve$/, (ctx) => answerApproval(ctx, 'approved')],
  ['POST', /^\/__sim\/accounts\/([^/]+)\/deny$/, (ctx) => answerApproval(ctx, 'denied')],
  [
    'POST',
    /^\/__sim\/accounts\/([^/]+)\/solve-captcha$/,
    (ctx) => {
      const a = accountOf(ctx);
      let solved = 0;
      for (const ch of ctx.state.challenges.values()) {
        if (ch.email === a.email && ch.steps[0] === 'captcha' && !ch.captchaSolved) {
          ch.captchaSolved = true;
          solved++;
        }
      }
      if (solved === 0) throw new BadRequestError('captcha: nothing pending for this account', 409);
      a.captchaPending = false;
      sendJson(ctx, accountView(ctx.state, a));
    },
  ],
  [
    'GET',
    /^\/__sim\/outbox$/,
    (ctx) => {
      const to = ctx.url.searchParams.get('to')?.trim().toLowerCase();
      const list = ctx.state.outbox.filter((m) => !to || m.to === to).reverse();
      sendJson(ctx, list);
    },
  ],
  ['GET', /^\/__sim\/faults$/, (ctx) => sendJson(ctx, faultsView(ctx.state))],
  [
    'POST',
    /^\/__sim\/faults$/,
    async (ctx) => {
      const input = parse(faultsSchema, await ctx.json());
      const { rateLimitNextLogin, unknownScreenNextLogin, ...numbers } = input;
      Object.assign(ctx.state.faults, numbers);
      if (rateLimitNextLogin)
        ctx.state.faults.rateLimitNextLogin.add(rateLimitNextLogin.toLowerCase());
      if (unknownScreenNextLogin)
        ctx.state.faults.unknownScreenNextLogin.add(unknownScreenNextLogin.toLowerCase());
      sendJson(ctx, faultsView(ctx.state));
    },
  ],
  [
    'DELETE',
    /^\/__sim\/faults$/,
    (ctx) => {
      ctx.state.faults = noFaults();
      sendJson(ctx, faultsView(ctx.state));
    },
  ],
  ['GET', /^\/__sim\/settings$/, (ctx) => sendJson(ctx, ctx.state.settings)],
  [
    'PATCH',
    /^\/__sim\/settings$/,
    async (ctx) => {
      Object.assign(ctx.state.settings, parse(settingsPatchSchema, await ctx.json()));
      sendJson(ctx, ctx.state.settings);
    },
  ],
];
