import { useSignal } from "../lib/islands/signals.ts";
import { useRef } from "preact/hooks";
import { defineIsland } from "../lib/islands/define.ts";
import type { UploadAnswer } from "../lib/kitchens/schema.ts";

export interface PhotoUploaderProps {
  /** Where the form posts (multipart, fields `photo` and `alt`). */
  action: string;
  /** Where to go after an upload succeeded. */
  done: string;
  maxBytes: number;
  /** Megapixels allowed, by format: JPEGs are decoded scaled down, PNG and WebP whole. */
  maxPixels: { jpeg: number; png: number; webp: number };
  largeEdge: number;
  /** What a failed post had typed, and why it failed. */
  alt: string;
  message?: string;
  errors: Record<string, string>;
}

const input =
  "mt-1 w-full rounded-lg border border-stone-300 bg-white px-3 py-2";
const PREVIEW_WIDTH = 240;

/**
 * The upload form. Without JavaScript it posts as it is and the server
 * answers with a redirect back to the photos page. Once hydrated it shows
 * the chosen photo, posts the same form with XMLHttpRequest (for upload
 * progress) asking for JSON, and goes to `done` when the server took it.
 * The preview is drawn on a canvas, which the page's CSP allows where a
 * blob: image would not be.
 */
function PhotoUploader(props: PhotoUploaderProps) {
  const progress = useSignal<number | null>(null);
  const error = useSignal<string | null>(props.message ?? null);
  const previewShown = useSignal(false);
  // Held here so that a re-render (progress, an error) keeps what was typed.
  const alt = useSignal(props.alt);
  const canvas = useRef<HTMLCanvasElement>(null);
  const mb = `${Math.round(props.maxBytes / (1024 * 1024))} MB`;
  const mp = (pixels: number) => Math.floor(pixels / 1_000_000);

  async function preview(file: File | undefined) {
    previewShown.value = false;
    error.value = null;
    if (!file) return;
    if (file.size > props.maxBytes) {
      error.value = `That photo is larger than ${mb}. Save it smaller first.`;
      return;
    }
    try {
      const bitmap = await createImageBitmap(file);
      const c = canvas.current!;
      c.width = PREVIEW_WIDTH;
      c.height = Math.round(bitmap.height * PREVIEW_WIDTH / bitmap.width);
      c.getContext("2d")!.drawImage(bitmap, 0, 0, c.width, c.height);
      bitmap.close();
      previewShown.value = true;
    } catch {
      // Not a picture the browser can show; the server says what it is.
    }
  }

  function submit(event: SubmitEvent) {
    const form = event.currentTarget as HTMLFormElement;
    const file = (form.elements.namedItem("photo") as HTMLInputElement)
      .files?.[0];
    if (!file) return; // the browser says a photo is needed
    event.preventDefault();
    if (file.size > props.maxBytes) {
      error.value = `That photo is larger than ${mb}. Save it smaller first.`;
      return;
    }
    error.value = null;
    progress.value = 0;
    const xhr = new XMLHttpRequest();
    xhr.open("POST", props.action);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) {
        progress.value = Math.round(100 * e.loaded / e.total);
      }
    };
    xhr.onload = () => {
      if (xhr.status === 201) {
        location.assign(props.done);
        return;
      }
      progress.value = null;
      let answer: UploadAnswer | null = null;
      try {
        answer = JSON.parse(xhr.responseText);
      } catch { /* an HTML error page */ }
      error.value = answer && "error" in answer
        ? answer.error
        : xhr.status === 413
        ? `That photo is larger than ${mb}.`
        : "The upload failed. Please try again.";
    };
    xhr.onerror = () => {
      progress.value = null;
      error.value = "The upload failed. Check your connection and try again.";
    };
    xhr.send(new FormData(form));
  }

  const photoError = props.errors.photo;
  const altError = props.errors.alt;
  return (
    <form
      method="post"
      action={props.action}
      encType="multipart/form-data"
      class="mt-3 space-y-4"
      onSubmit={submit}
    >
      {error.value && (
        <p
          role="alert"
          class="rounded-lg border border-red-200 bg-red-50 px-4 py-3 font-medium text-red-800"
        >
          {error.value}
        </p>
      )}
      <div>
        <label for="photo-file" class="block text-sm font-semibold">
          Photo
        </label>
        <input
          id="photo-file"
          name="photo"
          type="file"
          accept="image/jpeg,image/png,image/webp"
          required
          class={input}
          aria-describedby={photoError
            ? "photo-file-hint photo-file-error"
            : "photo-file-hint"}
          onChange={(e) => preview(e.currentTarget.files?.[0])}
        />
        <p id="photo-file-hint" class="mt-1 text-sm text-stone-600">
          {`JPEG (up to ${
            mp(props.maxPixels.jpeg)
          } megapixels), PNG or WebP (up to ${
            mp(Math.min(props.maxPixels.png, props.maxPixels.webp))
          } megapixels), each up to ${mb}. We keep a copy up to ${props.largeEdge} pixels wide and remove location and camera details.`}
        </p>
        {photoError && (
          <p
            id="photo-file-error"
            class="mt-1 text-sm font-medium text-red-700"
          >
            {photoError}
          </p>
        )}
      </div>
      <canvas
        ref={canvas}
        role="img"
        aria-label="Preview of the chosen photo"
        class={previewShown.value ? "rounded-lg" : "hidden"}
        width={PREVIEW_WIDTH}
        height={0}
      />
      <div>
        <label for="photo-alt" class="block text-sm font-semibold">
          Description
        </label>
        <input
          id="photo-alt"
          name="alt"
          value={alt.value}
          onInput={(e) => alt.value = e.currentTarget.value}
          required
          maxLength={300}
          class={input}
          aria-invalid={altError ? "true" : undefined}
          aria-describedby={altError
            ? "photo-alt-hint photo-alt-error"
            : "photo-alt-hint"}
        />
        <p id="photo-alt-hint" class="mt-1 text-sm text-stone-600">
          What the photo shows, for renters who cannot see it: e.g. Six-burner
          range beside the prep table.
        </p>
        {altError && (
          <p id="photo-alt-error" class="mt-1 text-sm font-medium text-red-700">
            {altError}
          </p>
        )}
      </div>
      {progress.value !== null && (
        <div>
          <progress
            max={100}
            value={progress.value}
            class="w-full"
            aria-label="Upload progress"
          />
          <p class="text-sm" aria-live="polite">
            {`${progress.value}% uploaded`}
          </p>
        </div>
      )}
      <button
        type="submit"
        class="rounded-lg bg-emerald-700 px-4 py-2 font-semibold text-white hover:bg-emerald-800"
      >
        Upload photo
      </button>
    </form>
  );
}

export default defineIsland("PhotoUploader", PhotoUploader);
