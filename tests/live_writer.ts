/**
 * Writes a reply into a thread through its own KV connection, for the live
 * tests: run as a Web Worker it is another isolate of the same process (as
 * `deno serve --parallel` workers are); run with `deno run` it is another
 * process on the same KV file.
 */
import type { SessionUser } from "../lib/accounts/schema.ts";
import { replyInThread } from "../lib/messages/threads.ts";

export interface WriteRequest {
  path: string;
  author: SessionUser;
  threadId: string;
  text: string;
  now: number;
}

export async function writeReply(req: WriteRequest): Promise<string> {
  const kv = await Deno.openKv(req.path);
  try {
    const { message } = await replyInThread(
      {
        kv,
        now: req.now,
        mail: { from: "Prep <t@prep.test>", baseUrl: "", wake: false },
      },
      req.author,
      req.threadId,
      req.text,
    );
    return message.id;
  } finally {
    kv.close();
  }
}

type WorkerScope = {
  onmessage: ((e: MessageEvent<WriteRequest>) => void) | null;
  postMessage(id: string): void;
};

const inWorker = typeof (globalThis as { WorkerGlobalScope?: unknown })
  .WorkerGlobalScope !== "undefined";

if (inWorker) {
  const scope = globalThis as unknown as WorkerScope;
  scope.onmessage = async (e) => scope.postMessage(await writeReply(e.data));
  // Loading this module's imports takes a while: say when it is done.
  scope.postMessage("ready");
} else if (import.meta.main) {
  // `deno run tests/live_writer.ts '<json>'`: prints the message id.
  console.log(await writeReply(JSON.parse(Deno.args[0])));
}
