/**
 * Transactional emails, rendered as HTML (inline styles only, one centred
 * white card, no tables) and as plain text. Pure: no IO, no clock.
 *
 * Every interpolated value is HTML-escaped in the HTML part; values meant for
 * a single line (names, addresses, subjects) are also collapsed to one line,
 * so user-supplied text cannot add lines of its own to the plain-text part.
 */

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/** A rendered email addressed: what a transport sends and the mailbox keeps. */
export interface OutgoingEmail extends RenderedEmail {
  to: string;
  from: string;
}

/** The site's palette (components/Layout.tsx): stone text, emerald accent. */
const INK = "#1c1917";
const MUTED = "#57534e";
const ACCENT = "#047857";
const WORDMARK = "#065f46";
const PAGE = "#f5f5f4";
const BORDER = "#e7e5e4";
const FONT =
  "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";

// Each style string ends with ";" so it never looks like a utility class to the stylesheet scanner.
const S = {
  body: `margin:0;padding:0;background:${PAGE};`,
  wrap:
    `max-width:560px;margin:0 auto;padding:32px 16px;font-family:${FONT};color:${INK};font-size:16px;line-height:1.5;`,
  wordmark:
    `margin:0 0 16px;font-size:26px;font-weight:800;letter-spacing:-0.02em;color:${WORDMARK};`,
  card:
    `background:#ffffff;border:1px solid ${BORDER};border-radius:12px;padding:32px 28px;`,
  h1:
    `margin:0 0 16px;font-size:22px;line-height:1.3;font-weight:800;color:${INK};`,
  p: `margin:0 0 16px;color:${INK};`,
  buttonWrap: `margin:24px 0;`,
  button:
    `display:inline-block;background:${ACCENT};color:#ffffff;text-decoration:none;font-weight:600;padding:12px 22px;border-radius:8px;`,
  small: `margin:0 0 12px;font-size:14px;color:${MUTED};`,
  link: `color:${ACCENT};word-break:break-all;`,
  footer: `margin:20px 4px 0;font-size:13px;line-height:1.5;color:${MUTED};`,
  preheader:
    `display:none;max-height:0;overflow:hidden;opacity:0;color:${PAGE};`,
};

/** Escapes text for HTML element content and double- or single-quoted attributes. */
function escapeHtml(value: string): string {
  return value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** Collapses line breaks, control characters and runs of spaces: for values that belong on one line. */
function oneLine(value: string): string {
  // deno-lint-ignore no-control-regex
  return value.replace(/[\u0000-\u001f\u007f\u2028\u2029\s]+/g, " ").trim();
}

/** Links in emails must be absolute http(s) URLs; anything else is a bug in the caller. */
function checkedUrl(url: string): string {
  const parsed = URL.parse(url);
  if (
    !parsed || (parsed.protocol !== "https:" && parsed.protocol !== "http:")
  ) {
    throw new TypeError(`Email links must be absolute http(s) URLs: ${url}`);
  }
  return url;
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

/** A paragraph is plain text, or text with one emphasised (bold) value in it. */
type Para = string | { before: string; strong: string; after: string };

interface EmailParts {
  subject: string;
  /** Hidden summary that mail clients show next to the subject. */
  preheader: string;
  heading: string;
  paragraphs: Para[];
  action?: { label: string; url: string };
  /** Small print after the action (expiry, "ignore if not you"). */
  notes?: string[];
  /** Why the recipient got this email. */
  reason: string;
}

function paraHtml(p: Para): string {
  return typeof p === "string"
    ? escapeHtml(p)
    : `${escapeHtml(p.before)}<strong>${escapeHtml(p.strong)}</strong>${
      escapeHtml(p.after)
    }`;
}

function paraText(p: Para): string {
  return typeof p === "string" ? p : `${p.before}${p.strong}${p.after}`;
}

function render(parts: EmailParts): RenderedEmail {
  const subject = oneLine(parts.subject);
  const action = parts.action
    ? { label: oneLine(parts.action.label), url: checkedUrl(parts.action.url) }
    : undefined;
  const notes = parts.notes ?? [];

  const html = [
    `<!doctype html>`,
    `<html lang="en"><head><meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<meta name="color-scheme" content="light"><title>${
      escapeHtml(subject)
    }</title></head>`,
    `<body style="${S.body}">`,
    `<div style="${S.preheader}">${escapeHtml(oneLine(parts.preheader))}</div>`,
    `<div style="${S.wrap}">`,
    `<p style="${S.wordmark}">Prep</p>`,
    `<div style="${S.card}">`,
    `<h1 style="${S.h1}">${escapeHtml(oneLine(parts.heading))}</h1>`,
    ...parts.paragraphs.map((p) => `<p style="${S.p}">${paraHtml(p)}</p>`),
    ...(action
      ? [
        `<p style="${S.buttonWrap}"><a href="${
          escapeHtml(action.url)
        }" style="${S.button}">${escapeHtml(action.label)}</a></p>`,
        `<p style="${S.small}">If the button doesn't work, copy this link into your browser:<br><a href="${
          escapeHtml(action.url)
        }" style="${S.link}">${escapeHtml(action.url)}</a></p>`,
      ]
      : []),
    ...notes.map((n) => `<p style="${S.small}">${escapeHtml(n)}</p>`),
    `</div>`,
    `<p style="${S.footer}">${
      escapeHtml(parts.reason)
    }<br>Prep · Certified commercial kitchens by the hour.</p>`,
    `</div></body></html>`,
  ].join("\n");

  const text = [
    "Prep",
    "",
    oneLine(parts.heading),
    "",
    ...parts.paragraphs.flatMap((p) => [paraText(p), ""]),
    ...(action ? [`${action.label}:`, action.url, ""] : []),
    ...notes.flatMap((n) => [n, ""]),
    "--",
    parts.reason,
    "Prep · Certified commercial kitchens by the hour.",
    "",
  ].join("\n");

  return { subject, html, text };
}

// Mail clients turn anything that looks like a URL, a domain or an address
// into a link, so a name such as "Visit evil.example" would reach the
// recipient as a clickable link we seem to vouch for.
const LINK_LIKE =
  /[a-z][a-z0-9+.-]*:\/\/|www\.|@|[\p{L}\p{N}-]\.[\p{L}\p{N}-]{2,}|\.(com|net|org|io|co|app|dev|xyz|link|ly)\b/iu;

/**
 * A name typed by a user, for a greeting: one line, and left out entirely
 * when it could be read as a link, so user text is never autolinked.
 */
export function displayName(name: string): string {
  const n = oneLine(name);
  return LINK_LIKE.test(n) ? "" : n;
}

function greeting(name: string): string {
  const n = displayName(name);
  return n ? `Hi ${n},` : "Hi,";
}

export function verificationEmail(
  p: { name: string; url: string; hours: number },
): RenderedEmail {
  const expiry = `This link expires in ${plural(p.hours, "hour")}.`;
  return render({
    subject: "Confirm your email for Prep",
    preheader: `Confirm your email address to finish signing up. ${expiry}`,
    heading: "Confirm your email address",
    paragraphs: [
      greeting(p.name),
      "Thanks for signing up for Prep. Confirm this is your email address to finish setting up your account.",
    ],
    action: { label: "Confirm email address", url: p.url },
    notes: [
      expiry,
      "If you didn't sign up for Prep, you can ignore this email; no account will be confirmed.",
    ],
    reason:
      "You received this email because this address was used to sign up for Prep.",
  });
}

export function passwordResetEmail(
  p: { name: string; url: string; minutes: number },
): RenderedEmail {
  const expiry = `This link expires in ${
    plural(p.minutes, "minute")
  } and works once.`;
  return render({
    subject: "Reset your Prep password",
    preheader: `Choose a new password for your Prep account. ${expiry}`,
    heading: "Reset your password",
    paragraphs: [
      greeting(p.name),
      "Someone asked to reset the password of your Prep account. If it was you, choose a new password here.",
    ],
    action: { label: "Choose a new password", url: p.url },
    notes: [
      expiry,
      "If you didn't ask for this, you can ignore this email; your password stays the same.",
    ],
    reason:
      "You received this email because a password reset was requested for the Prep account that uses this address.",
  });
}

export function passwordChangedEmail(
  p: { name: string; resetUrl: string },
): RenderedEmail {
  return render({
    subject: "Your Prep password was changed",
    preheader: "The password of your Prep account was just changed.",
    heading: "Your password was changed",
    paragraphs: [
      greeting(p.name),
      "The password of your Prep account was just changed. If you did this, there is nothing else to do.",
      "If this wasn't you, reset your password now: that signs everyone else out of your account.",
    ],
    action: { label: "Reset your password", url: p.resetUrl },
    reason:
      "You received this security notice because the password of the Prep account that uses this address was changed.",
  });
}

/** Sent to the OLD address, so its owner learns of the change and can take the account back. */
export function emailChangedEmail(
  p: { name: string; oldEmail: string; newEmail: string; resetUrl: string },
): RenderedEmail {
  const oldEmail = oneLine(p.oldEmail);
  const newEmail = oneLine(p.newEmail);
  return render({
    subject: "Your Prep sign-in email was changed",
    preheader: `Your Prep account now signs in with ${newEmail}.`,
    heading: "Your sign-in email was changed",
    paragraphs: [
      greeting(p.name),
      {
        before:
          `The email address of your Prep account was changed from ${oldEmail} to `,
        strong: newEmail,
        after: ". Emails about your account now go to the new address.",
      },
      "If this wasn't you, reset your password now to take your account back.",
    ],
    action: { label: "Reset your password", url: p.resetUrl },
    reason:
      `You received this security notice because ${oldEmail} was the sign-in email of a Prep account.`,
  });
}

/** A general notice (booking confirmed, certificate approved, …) with an optional button. */
export function notificationEmail(
  p: {
    name: string;
    subject: string;
    heading: string;
    paragraphs: string[];
    action?: { label: string; url: string };
    /** Why the recipient got it; defaults to "because you have a Prep account". */
    reason?: string;
  },
): RenderedEmail {
  return render({
    subject: p.subject,
    preheader: p.paragraphs[0] ?? p.heading,
    heading: p.heading,
    paragraphs: [greeting(p.name), ...p.paragraphs],
    action: p.action,
    reason: p.reason ??
      "You received this email because you have a Prep account that uses this address.",
  });
}

/** To the owner when wrong passwords start to be delayed: they did not lock the account, but they should know. */
export function loginAttemptsEmail(
  p: { name: string; resetUrl: string },
): RenderedEmail {
  return render({
    subject: "Failed attempts to log in to your Prep account",
    preheader: "Several wrong passwords were tried for your Prep account.",
    heading: "Someone tried to log in to your account",
    paragraphs: [
      greeting(p.name),
      "Several wrong passwords were just tried for your Prep account. Further attempts are now slowed down, except from browsers you have logged in with before, so you can still log in as usual.",
      "If this was you, there is nothing to do. If not, your account is safe as long as your password is not used elsewhere; to be sure, choose a new one.",
    ],
    action: { label: "Choose a new password", url: p.resetUrl },
    reason:
      "You received this security notice because wrong passwords were tried for the Prep account that uses this address.",
  });
}

/** To an address that already has an account, instead of telling the sign-up form. */
export function signupAttemptEmail(
  p: { loginUrl: string; resetUrl: string },
): RenderedEmail {
  return render({
    subject: "Someone tried to sign up for Prep with your address",
    preheader: "You already have a Prep account with this address.",
    heading: "You already have a Prep account",
    paragraphs: [
      "Someone, perhaps you, just tried to create a new Prep account with this email address. This address already has an account, so nothing was created.",
      "If it was you, log in instead, or choose a new password if you have forgotten it. If it wasn't, you can ignore this email.",
    ],
    action: { label: "Log in", url: p.loginUrl },
    notes: [`Forgot your password? ${p.resetUrl}`],
    reason:
      "You received this email because this address was entered on Prep's sign-up form.",
  });
}

/** To an address that already has an account, when another account asks to move to it. */
export function emailInUseEmail(p: { resetUrl: string }): RenderedEmail {
  return render({
    subject: "Someone tried to use your address on another Prep account",
    preheader: "Your address stays with your own Prep account.",
    heading: "Your address is already in use",
    paragraphs: [
      "Someone asked to change the sign-in email of another Prep account to this address. This address already belongs to your account, so nothing changed and no link was sent.",
      "If you don't recognise this, you don't need to do anything. If you are worried about your own account, choose a new password.",
    ],
    action: { label: "Choose a new password", url: p.resetUrl },
    reason:
      "You received this security notice because this address is the sign-in email of a Prep account.",
  });
}
