import { z } from "zod";
import { optionalText, text } from "../text.ts";

export const ROLES = ["renter", "host", "admin", "support"] as const;
export type Role = typeof ROLES[number];

export const userRecord = z.object({
  v: z.literal(1),
  id: z.string(),
  email: z.string(),
  name: z.string(),
  passwordHash: z.string(),
  roles: z.array(z.enum(ROLES)),
  emailVerifiedAt: z.string().nullable(),
  phone: z.string().nullable(),
  businessName: z.string().nullable(),
  /** A demo account (published password): it logs in only where dev features are on. */
  demo: z.boolean().optional(),
  /** Staff suspended the account (lib/compliance/suspensions.ts): its sessions ended and it cannot log in. */
  suspension: z.object({
    reason: z.string(),
    /** The admin's user id. */
    by: z.string(),
    at: z.number().int(),
  }).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type User = z.infer<typeof userRecord>;

/** What a session resolves to for pages: no password hash. */
export type SessionUser = Omit<User, "passwordHash">;

export type TokenKind = "verify_email" | "reset_password";

export interface TokenRecord {
  kind: TokenKind;
  userId: string;
  /** The address being confirmed (a new one, when changing email). */
  email: string;
  expiresAt: number;
  /** A confirmation's way back (next_link.ts): the page the person was on before signing up. */
  next?: string;
}

export interface SessionRecord {
  userId: string;
  createdAt: number;
  lastSeenAt: number;
  /** Absolute end, whatever the activity. */
  expiresAt: number;
}

const email = z.string().trim().toLowerCase().max(254).pipe(
  z.email("Enter an email address like name@example.com"),
);
const name = text({ label: "your name", max: 100 });
export const newPassword = z.string()
  .min(12, "Use at least 12 characters")
  .max(128, "Use at most 128 characters");
const anyPassword = z.string().min(1, "Enter your password").max(
  128,
  "Use at most 128 characters",
);

/**
 * A signed `next` (next_link.ts), checked where it is used; "" for none.
 * One too long for any path we sign is dropped, not refused: the person
 * still logs in, and lands on their account page.
 */
const nextField = z.string().transform((v) => v.length > 2000 ? "" : v)
  .default("");

export const signupForm = z.object({
  name,
  email,
  password: newPassword,
  intent: z.enum(["rent", "host"], "Choose what you want to do"),
  next: nextField,
});

export const loginForm = z.object({
  email,
  password: anyPassword,
  next: nextField,
});
export const emailForm = z.object({ email });
export const tokenForm = z.object({
  token: z.string().min(20, "This link is incomplete").max(100),
});
export const resetForm = tokenForm.extend({ password: newPassword });
export const profileForm = z.object({
  name,
  phone: optionalText({ label: "a phone number", max: 30 }).refine(
    (v) => v === null || /^[+()\d\s.-]{5,30}$/.test(v),
    "Use digits, spaces and + ( ) - only",
  ),
  businessName: optionalText({ label: "a business name", max: 100 }),
});
export const changeEmailForm = z.object({
  email,
  currentPassword: anyPassword,
});
export const changePasswordForm = z.object({
  currentPassword: anyPassword,
  password: newPassword,
});
export const deleteAccountForm = z.object({
  currentPassword: anyPassword,
  confirm: z.literal("delete", "Type delete to confirm"),
});
