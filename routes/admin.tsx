import { Hono } from "hono";
import { requireCapability } from "../lib/accounts/roles.ts";
import { listDeadJobs } from "../lib/jobs/outbox.ts";
import { type AppEnv, page } from "./context.tsx";

export const admin = new Hono<AppEnv>();

// Staff only: the decision lives in lib/accounts/roles.ts.
admin.use(async (c, next) => {
  requireCapability(c.var.user, "admin:read");
  await next();
});

admin.get("/", async (c) => {
  const user = c.var.user!;
  const dead = await listDeadJobs(c.var.kv, 50);
  const role = user.roles.includes("admin") ? "admin" : "support (read-only)";
  return page(
    c,
    { title: "Admin" },
    <section class="space-y-6">
      <header>
        <h1 class="text-3xl font-extrabold">Admin</h1>
        <p class="text-stone-700">
          {`Signed in as ${user.name}, ${role}.`}
        </p>
      </header>
      <div class="space-y-3">
        <h2 class="text-xl font-bold">Failed jobs</h2>
        <p class="text-stone-700">
          Background work (emails, and later payments and reminders) that ran
          out of attempts.
        </p>
        {dead.length === 0
          ? <p>No failed jobs.</p>
          : (
            <div class="overflow-x-auto">
              <table class="w-full text-left text-sm">
                <thead>
                  <tr class="border-b border-stone-300">
                    <th scope="col" class="py-2 pr-4">Job</th>
                    <th scope="col" class="py-2 pr-4">Attempts</th>
                    <th scope="col" class="py-2 pr-4">Failed at</th>
                    <th scope="col" class="py-2">Last error</th>
                  </tr>
                </thead>
                <tbody>
                  {dead.map((j) => (
                    <tr class="border-b border-stone-200 align-top">
                      <td class="py-2 pr-4 font-mono">{j.type}</td>
                      <td class="py-2 pr-4">{String(j.attempts)}</td>
                      <td class="py-2 pr-4">
                        {new Date(j.deadAt ?? j.runAt).toISOString()}
                      </td>
                      <td class="py-2">{j.lastError ?? ""}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
      </div>
    </section>,
  );
});
