/**
 * What every task that works on the store starts with (admin, export,
 * import): the configuration from the environment, as the server reads it,
 * and its KV. A bad variable ends the task with its one-line message.
 */
import { type Config, ConfigError, loadConfig } from "../lib/config.ts";
import { openStore } from "../lib/db/kv.ts";

export async function openTaskStore(): Promise<
  { config: Config; kv: Deno.Kv }
> {
  let config: Config;
  try {
    config = loadConfig(Deno.env.toObject());
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    Deno.exit(1);
  }
  return { config, kv: await openStore(config) };
}
