import { useEffect } from "preact/hooks";
import { useSignal } from "../lib/islands/signals.ts";
import { defineIsland } from "../lib/islands/define.ts";

export interface DeadlineProps {
  /** The deadline, epoch ms. */
  until: number;
  /** The kitchen's zone, in which `text` is written. */
  timeZone: string;
  /** "3:41 PM CST" or "Fri, Dec 4, 3:41 PM CST", as the server wrote it. */
  text: string;
  /** Whether `text` names the day too. */
  withDay: boolean;
  /** "34 minutes" left when the page was made; null to show no countdown. */
  left: string | null;
}

function timeLeft(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return "less than a minute";
  if (minutes < 60) return minutes === 1 ? "1 minute" : `${minutes} minutes`;
  const hours = Math.floor(minutes / 60);
  return hours === 1 ? "1 hour" : `${hours} hours`;
}

/**
 * A deadline (a hold, a host's answer) as the server wrote it, in the
 * kitchen's zone. Once hydrated it reads in the browser's own zone when
 * that differs, and the time left counts down; without JavaScript the
 * server's text stands, zone named. One expression per run of text, as
 * the server joins adjacent ones.
 */
function Deadline(props: DeadlineProps) {
  const text = useSignal(props.text);
  const left = useSignal(props.left);

  useEffect(() => {
    const here = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (here && here !== props.timeZone) {
      text.value = new Intl.DateTimeFormat("en-US", {
        hour: "numeric",
        minute: "2-digit",
        timeZoneName: "short",
        ...(props.withDay
          ? { weekday: "short", month: "short", day: "numeric" }
          : {}),
      }).format(props.until);
    }
    if (props.left === null) return;
    const tick = () => {
      const ms = props.until - Date.now();
      left.value = ms > 0 ? timeLeft(ms) : null;
      return ms > 0;
    };
    tick();
    const timer = setInterval(() => {
      if (!tick()) clearInterval(timer);
    }, 15_000);
    return () => clearInterval(timer);
  }, []);

  return (
    <span>
      <time dateTime={new Date(props.until).toISOString()}>{text.value}</time>
      {left.value ? ` (${left.value} left)` : ""}
    </span>
  );
}

export default defineIsland("Deadline", Deadline);
