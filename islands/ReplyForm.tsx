import {
  FormMessage,
  type FormState,
  SubmitButton,
  TextArea,
} from "../components/Forms.tsx";
import { defineIsland } from "../lib/islands/define.ts";
import { useSignal } from "../lib/islands/signals.ts";
import type { ReplyAnswer } from "../lib/messages/replies.ts";
import { MESSAGE_SENT_EVENT } from "./live_stream.ts";

export interface ReplyFormProps {
  threadId: string;
  /** What a failed post had typed, and why it failed. */
  form: FormState;
  /** The largest file, in bytes. */
  maxBytes: number;
  /** Up to how many characters a message may be, for the hint. */
  maxChars: number;
  /** The page shows the newest messages, and adds new ones live. */
  live: boolean;
}

const ACCEPT = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png";
const input =
  "mt-1 w-full rounded-lg border border-stone-300 bg-white px-3 py-2";
const invalidInput =
  "mt-1 w-full rounded-lg border-2 border-red-700 bg-red-50 px-3 py-2";

/**
 * A thread's reply form: the text and a file (PDF, JPEG or PNG). Without
 * JavaScript it is a plain multipart form that posts and comes back to the
 * thread. Once hydrated it refuses a file over the limit before sending
 * it, posts with XMLHttpRequest (for upload progress) asking for JSON,
 * shows what the server refused beside the field, and on success empties
 * itself: the message joins the thread through the page's live island.
 */
function ReplyForm(props: ReplyFormProps) {
  const errors = useSignal<Record<string, string>>(props.form.errors);
  const message = useSignal<string | undefined>(props.form.message);
  const progress = useSignal<number | null>(null);
  const status = useSignal("");
  const mb = `${Math.round(props.maxBytes / (1024 * 1024))} MB`;
  const tooLarge =
    `That file is larger than ${mb}. Save it at a smaller size, or send your message without it.`;

  function fail(text: string, issues: Record<string, string> = {}) {
    progress.value = null;
    message.value = text;
    errors.value = issues;
    status.value = "";
  }

  function chosen(file: File | undefined) {
    if (file && file.size > props.maxBytes) {
      fail(tooLarge, { file: tooLarge });
    } else if (errors.value.file) {
      errors.value = { ...errors.value, file: "" };
      message.value = undefined;
    }
  }

  function submit(event: SubmitEvent) {
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const file = data.get("file");
    event.preventDefault();
    if (file instanceof File && file.size > props.maxBytes) {
      fail(tooLarge, { file: tooLarge });
      return;
    }
    const sendsFile = file instanceof File && file.size > 0;
    progress.value = sendsFile ? 0 : null;
    message.value = undefined;
    errors.value = {};
    status.value = "Sending…";
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    if (sendsFile) {
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) {
          progress.value = Math.round(100 * e.loaded / e.total);
        }
      };
    }
    xhr.onload = () => {
      let answer: ReplyAnswer | null = null;
      try {
        answer = JSON.parse(xhr.responseText);
      } catch { /* an HTML error page */ }
      if (xhr.status === 201 && answer && "messageId" in answer) {
        progress.value = null;
        form.reset();
        const text = form.elements.namedItem("text");
        if (text instanceof HTMLTextAreaElement) text.value = "";
        status.value = "Message sent.";
        if (props.live) {
          document.dispatchEvent(new CustomEvent(MESSAGE_SENT_EVENT));
        } else {
          location.assign(
            `/messages/${props.threadId}#m-${answer.messageId}`,
          );
        }
        return;
      }
      if (answer && "error" in answer) fail(answer.error, answer.issues);
      else if (xhr.status === 413) fail(tooLarge, { file: tooLarge });
      else fail("Your message was not sent. Please try again.");
    };
    xhr.onerror = () =>
      fail(
        "Your message was not sent: check your connection and try again.",
      );
    xhr.send(data);
  }

  const shown: FormState = {
    values: props.form.values,
    errors: errors.value,
    message: message.value,
    link: props.form.link,
  };
  const fileError = errors.value.file;
  return (
    <form
      method="post"
      action={`/messages/${props.threadId}`}
      encType="multipart/form-data"
      class="space-y-3 rounded-xl border border-stone-200 bg-white p-5"
      data-testid="reply"
      onSubmit={submit}
    >
      <FormMessage form={shown} />
      <TextArea
        name="text"
        label="Your reply"
        form={shown}
        rows={4}
        hint={`Up to ${props.maxChars.toLocaleString("en-US")} characters.`}
      />
      <div>
        <label for="reply-file" class="block text-sm font-semibold">
          Attach a file (optional)
        </label>
        <input
          id="reply-file"
          name="file"
          type="file"
          accept={ACCEPT}
          class={fileError ? invalidInput : input}
          aria-invalid={fileError ? "true" : undefined}
          aria-describedby={fileError
            ? "reply-file-hint reply-file-error"
            : "reply-file-hint"}
          onChange={(e) => chosen(e.currentTarget.files?.[0])}
        />
        <p id="reply-file-hint" class="mt-1 text-sm text-stone-600">
          {`PDF, JPEG or PNG, up to ${mb}. Only the two of you can open it.`}
        </p>
        {fileError && (
          <p
            id="reply-file-error"
            class="mt-1 text-sm font-medium text-red-700"
          >
            {fileError}
          </p>
        )}
      </div>
      {progress.value !== null && (
        <progress
          max={100}
          value={progress.value}
          class="w-full"
          aria-label="Upload progress"
        />
      )}
      <div class="flex flex-wrap items-center gap-3">
        <SubmitButton>Send</SubmitButton>
        <span role="status" class="text-sm text-stone-700">
          {progress.value !== null && progress.value < 100
            ? `${progress.value}% uploaded`
            : status.value}
        </span>
      </div>
    </form>
  );
}

export default defineIsland("ReplyForm", ReplyForm);
