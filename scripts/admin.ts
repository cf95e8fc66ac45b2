/**
 * Grants or removes a staff role:
 *
 *   deno task admin ada@example.com            # make an admin
 *   deno task admin sam@example.com --support  # read-only support
 *   deno task admin ada@example.com --revoke   # take the role away
 *
 * The account must exist (sign up first). Its sessions end, so the new role
 * applies from the next login.
 */
import { z } from "zod";
import { setStaffRole } from "../lib/accounts/staff_roles.ts";
import { at, createServices } from "../lib/app.ts";
import { openTaskStore } from "./store.ts";

const args = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email()),
  role: z.enum(["admin", "support"]),
  grant: z.boolean(),
});

export function parseAdminArgs(argv: string[]) {
  const flags = argv.filter((a) => a.startsWith("--"));
  const unknown = flags.filter((f) => f !== "--support" && f !== "--revoke");
  if (unknown.length) {
    return { ok: false as const, error: `Unknown option ${unknown[0]}` };
  }
  const parsed = args.safeParse({
    email: argv.find((a) => !a.startsWith("--")) ?? "",
    role: flags.includes("--support") ? "support" : "admin",
    grant: !flags.includes("--revoke"),
  });
  return parsed.success ? { ok: true as const, ...parsed.data } : {
    ok: false as const,
    error: "Give the email address of an existing account.",
  };
}

if (import.meta.main) {
  const parsed = parseAdminArgs(Deno.args);
  if (!parsed.ok) {
    console.error(
      `${parsed.error}\nUsage: deno task admin <email> [--support] [--revoke]`,
    );
    Deno.exit(2);
  }
  const { config, kv } = await openTaskStore();
  try {
    const user = await setStaffRole(
      at(createServices(config, kv)),
      parsed.email,
      parsed.role,
      parsed.grant,
    );
    if (!user) {
      console.error(
        `No account uses ${parsed.email}. Sign up first, then run this again.`,
      );
      Deno.exit(1);
    }
    console.log(`${user.email} now has roles: ${user.roles.join(", ")}.`);
  } finally {
    kv.close();
  }
}
