/** Runs one ffmpeg command for a job, turning its `-progress` output into the job's percent. */
import { spawn } from 'node:child_process';
import type { Job } from './job.ts';
import { JobFailure } from './job-failure.ts';

export interface FfmpegRun {
  ffmpegPath: string;
  args: string[];
  /** Seconds of output expected, for the percent. */
  durationSec: number;
  /** Called with the job's percent at most once per `progressEveryMs`. */
  onProgress: (percent: number) => void;
  progressEveryMs: number;
  /** Longest the transcode may take, ms; past it ffmpeg is killed and the job fails instead of hanging. */
  timeoutMs: number;
}

/** Runs ffmpeg for `job` (which can kill it through `job.process`); rejects with a JobFailure. */
export function runJobFfmpeg(job: Job, run: FfmpegRun): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(run.ffmpegPath, run.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    job.process = child;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, run.timeoutMs);
    let stderr = '';
    let lastUpdate = 0;
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const micros = /out_time_ms=(\d+)/.exec(chunk)?.[1];
      if (!micros || run.durationSec <= 0) return;
      const percent = Math.min(99, Math.floor((Number(micros) / 1e6 / run.durationSec) * 100));
      job.jobPercentComplete = Math.max(job.jobPercentComplete ?? 0, percent);
      const now = Date.now();
      if (now - lastUpdate >= run.progressEveryMs) {
        lastUpdate = now;
        run.onProgress(job.jobPercentComplete);
      }
    });
    child.on('error', (error) => reject(new JobFailure(1999, `ffmpeg could not start: ${error.message}`)));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut)
        reject(
          new JobFailure(
            1999,
            `Transcoding did not finish within ${Number((run.timeoutMs / 1000).toFixed(1))} s`,
          ),
        );
      else if (code === 0) resolve();
      else if (signal === 'SIGKILL' && job.status !== 'PROGRESSING') resolve();
      else
        reject(
          new JobFailure(
            1999,
            `Transcoding failed (ffmpeg exit ${code ?? signal}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
          ),
        );
    });
  });
}
