/**
 * Holds refusals back for a moment before they are answered, a bounded number at a time.
 *
 * A flood tool sends its next request as soon as the last one is answered, on every
 * connection it holds. Answered at once, a refusal is re-sent at once: one address with a few
 * hundred connections turns into thousands of refusals a second, each a request the server
 * parses, looks up (the throttle's store round trip) and answers on the cores everyone else's
 * sign-ins need. Held for `delayMs`, the same client sends about one request per connection
 * per delay instead. A refusal is a refusal either way: the person it is meant for (past a
 * limit, locked out) loses only the delay.
 *
 * At most `maxHeld` are held at once (each keeps a request and its socket open); beyond, a
 * refusal is answered at once, as without the hold.
 */
export interface RefusalHoldOptions {
  delayMs: number;
  maxHeld: number;
}

export interface RefusalHold {
  /** Runs `answer` after the delay and says true, or says false (delay 0, or the bound reached): answer now. */
  tryHold(answer: () => void): boolean;
  /** Refusals held right now. */
  held(): number;
}

export function createRefusalHold({ delayMs, maxHeld }: RefusalHoldOptions): RefusalHold {
  let held = 0;
  return {
    tryHold(answer) {
      if (delayMs <= 0 || held >= maxHeld) return false;
      held += 1;
      // unref: a held refusal never keeps a stopping process alive.
      setTimeout(() => {
        held -= 1;
        answer();
      }, delayMs).unref();
      return true;
    },
    held: () => held,
  };
}
