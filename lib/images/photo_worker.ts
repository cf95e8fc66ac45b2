/**
 * The worker thread a photo is re-encoded in (photo_job.ts does the work;
 * `processPhoto` in reencode.ts starts one per photo and ends it after).
 */
import { serveJob } from "../worker_job.ts";
import { type PhotoJob, type PhotoReport, reencodePhoto } from "./photo_job.ts";

serveJob<PhotoJob, PhotoReport>("photo_worker.ts", reencodePhoto);
