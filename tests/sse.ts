/** Reading a Server-Sent Events response in tests: one event (or comment) at a time, with a deadline. */

export interface SseEvent {
  /** "message" when the server named none; "comment" for a `: …` line. */
  event: string;
  data: string;
  id: string | null;
}

export class SseReader {
  readonly #reader: ReadableStreamDefaultReader<string>;
  #buffer = "";
  #pending: Promise<ReadableStreamReadResult<string>> | null = null;
  #done = false;

  constructor(res: Response) {
    if (!res.body) throw new Error("the response has no body");
    this.#reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** Whether the server closed the stream. */
  get done(): boolean {
    return this.#done && !this.#buffer.includes("\n\n");
  }

  /** The next event or comment within `ms`, or null (timed out, or the stream ended). */
  async next(ms = 1000): Promise<SseEvent | null> {
    const deadline = Date.now() + ms;
    for (;;) {
      const cut = this.#buffer.indexOf("\n\n");
      if (cut !== -1) {
        const block = this.#buffer.slice(0, cut);
        this.#buffer = this.#buffer.slice(cut + 2);
        return parseBlock(block);
      }
      if (this.#done) return null;
      const left = deadline - Date.now();
      if (left <= 0) return null;
      this.#pending ??= this.#reader.read();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const r = await Promise.race([
        this.#pending,
        new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), left);
        }),
      ]);
      clearTimeout(timer);
      if (r === null) return null;
      this.#pending = null;
      if (r.done) this.#done = true;
      else this.#buffer += r.value;
    }
  }

  /** The next event named `name` within `ms` (skipping others and comments), or null. */
  async nextOf(name: string, ms = 1000): Promise<SseEvent | null> {
    const deadline = Date.now() + ms;
    for (;;) {
      const ev = await this.next(Math.max(0, deadline - Date.now()));
      if (ev === null) return null;
      if (ev.event === name) return ev;
    }
  }

  /** Every event (not comments) that arrives within `ms`. */
  async drain(ms: number): Promise<SseEvent[]> {
    const out: SseEvent[] = [];
    const deadline = Date.now() + ms;
    for (;;) {
      const ev = await this.next(Math.max(0, deadline - Date.now()));
      if (ev === null) return out;
      if (ev.event !== "comment") out.push(ev);
    }
  }

  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }
}

function parseBlock(block: string): SseEvent {
  let event = "message";
  const data: string[] = [];
  let id: string | null = null;
  let comment = true;
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) continue;
    comment = false;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
    else if (field === "id") id = value;
  }
  return comment
    ? { event: "comment", data: block.replace(/^:\s?/, ""), id: null }
    : { event, data: data.join("\n"), id };
}
