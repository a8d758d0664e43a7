/**
 * One video: its status timeline (refreshed while it processes), the failure reason, the source,
 * the player with rendition choice, per-rendition quality figures, and smart-crop renditions.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { type MarqueeClient, type Session, unwrap, useLoad, useSession } from '../api.tsx';
import { HlsPlayer } from '../components/player.tsx';
import { TableHead } from '../components/table-head.tsx';
import { Loaded } from '../components/status.tsx';
import { bitrate, dateTime, figure } from '../format.ts';
import { fetchPlayback, hasPlayback } from '../playback.ts';
import { withSignature } from '../signed-urls.ts';
import { Link } from '../router.tsx';

type Video = Awaited<ReturnType<typeof loadVideo>>;
type Rendition = NonNullable<Video['outputs']>['renditions'][number];

/** How often a video that is still moving is re-read, ms. */
const POLL_MS = 1000;
const SETTLED = new Set(['READY', 'FAILED']);

const loadVideo = (api: MarqueeClient, assetId: string) =>
  unwrap(api.GET('/videos/{assetId}', { params: { path: { assetId } } }));

interface Step {
  status: string;
  at: string;
}

/** Re-reads the asset until it settles; remembers each status seen, with when it was first seen. */
function useWatchedVideo(assetId: string) {
  const result = useLoad((api) => loadVideo(api, assetId), [assetId]);
  const [steps, setSteps] = useState<Step[]>([]);
  const reload = useRef(result.reload);
  reload.current = result.reload;
  const video = result.state === 'ok' ? result.data : undefined;
  useEffect(() => {
    if (!video) return;
    setSteps((seen) =>
      seen.at(-1)?.status === video.status ? seen : [...seen, { status: video.status, at: video.updatedAt }],
    );
    if (SETTLED.has(video.status)) return;
    const timer = setTimeout(() => reload.current(), POLL_MS);
    return () => clearTimeout(timer);
  }, [video]);
  return { result, steps };
}

export function VideoPage({ assetId }: { assetId: string }) {
  const { result, steps } = useWatchedVideo(assetId);
  return (
    <section>
      <p>
        <Link href="/videos">Videos</Link> › {assetId}
      </p>
      <Loaded result={result} what={`video ${assetId}`}>
        {(video) => <VideoDetails video={video} steps={steps} />}
      </Loaded>
    </section>
  );
}

function VideoDetails({ video, steps }: { video: Video; steps: Step[] }) {
  return (
    <>
      <h1>{video.title ?? video.filename}</h1>
      <p>
        Status:{' '}
        <strong class={`status status-${video.status.toLowerCase()}`} data-testid="video-status">
          {video.status}
        </strong>
        {video.status === 'PROCESSING' && video.percent !== undefined && (
          <>
            {' '}
            <progress max={100} value={video.percent} /> {video.percent}%
          </>
        )}
      </p>
      {video.failure && (
        <p class="error" role="alert" data-testid="failure">
          Processing failed ({video.failure.code}): {video.failure.reason}
        </p>
      )}
      <Timeline video={video} steps={steps} />
      {video.status === 'READY' && <Playback video={video} />}
      {video.source && (
        <>
          <h2>Source</h2>
          <p>
            {video.source.container}, {figure(video.source.durationSec)} s,{' '}
            {Math.round(video.source.sizeBytes / 1024)} KiB
            {video.source.video &&
              `; ${video.source.video.codec} ${video.source.video.width}×${video.source.video.height} at ${figure(video.source.video.frameRate)} fps`}
            {video.source.audio && `; ${video.source.audio.codec} ${video.source.audio.channels} channels`}
          </p>
        </>
      )}
      {video.outputs && <Renditions renditions={video.outputs.renditions} />}
    </>
  );
}

/**
 * Created (UPLOADING), each status this page saw and when the asset changed to it, and the last
 * update: the API keeps the current status and two times, not a history.
 */
function Timeline({ video, steps }: { video: Video; steps: Step[] }) {
  const entries: Step[] = [
    { status: 'UPLOADING (created)', at: video.createdAt },
    ...steps.filter((s) => s.status !== 'UPLOADING'),
  ];
  return (
    <>
      <h2>Timeline</h2>
      <ol class="timeline" data-testid="timeline">
        {entries.map((step) => (
          <li key={step.status}>
            <strong>{step.status}</strong> <span class="muted">{dateTime(step.at)}</span>
          </li>
        ))}
      </ol>
    </>
  );
}

function Playback({ video }: { video: Video }) {
  const session = useSession();
  if (!hasPlayback(session)) {
    return (
      <>
        <h2>Outputs</h2>
        <p class="notice" data-testid="playback-unavailable">
          Playback is not available: this API has no <code>GET /videos/{'{assetId}'}/playback</code> route
          yet, and its outputs are private storage URIs a browser cannot open.
        </p>
        <ul class="outputs">
          <li>
            HLS master: <code>{video.outputs?.hlsMaster}</code>
          </li>
          {video.outputs?.download && (
            <li>
              MP4: <code>{video.outputs.download.uri}</code>
            </li>
          )}
          {video.outputs?.poster && (
            <li>
              Poster: <code>{video.outputs.poster}</code>
            </li>
          )}
        </ul>
      </>
    );
  }
  return <SignedPlayer session={session} video={video} />;
}

function SignedPlayer({ session, video }: { session: Session; video: Video }) {
  const playback = useLoad(() => fetchPlayback(session, video.assetId), [video.assetId]);
  return (
    <>
      <h2>Player</h2>
      <Loaded result={playback} what="the playback URLs">
        {(urls) => (
          <HlsPlayer
            src={urls.hlsUrl}
            poster={urls.posterUrl}
            title={video.title ?? video.filename}
            signRequest={(url) => withSignature(url, urls.signature)}
          />
        )}
      </Loaded>
    </>
  );
}

/** Fields the video service adds with smart crop and VMAF (issue 13), read when present. */
const extra = (rendition: Rendition) => rendition as Rendition & { aspect?: string; vmaf?: number };

function Renditions({ renditions }: { renditions: Rendition[] }) {
  const original = renditions.filter((r) => !extra(r).aspect);
  const cropped = renditions.filter((r) => extra(r).aspect);
  return (
    <>
      <h2>Renditions and quality</h2>
      <RenditionTable renditions={original} testId="renditions" />
      {cropped.length > 0 && (
        <>
          <h3>Smart-crop renditions</h3>
          <RenditionTable renditions={cropped} testId="cropped-renditions" />
        </>
      )}
    </>
  );
}

function RenditionTable({ renditions, testId }: { renditions: Rendition[]; testId: string }) {
  const withVmaf = renditions.some((r) => extra(r).vmaf !== undefined);
  const withAspect = renditions.some((r) => extra(r).aspect !== undefined);
  return (
    <table data-testid={testId}>
      <TableHead
        columns={[
          'size',
          ...(withAspect ? ['aspect'] : []),
          'codec',
          'max bitrate',
          'average bitrate',
          'PSNR (dB)',
          'SSIM',
          ...(withVmaf ? ['VMAF'] : []),
        ]}
      />
      <tbody>
        {renditions.map((r) => (
          <tr key={r.uri}>
            <th scope="row">
              {r.width}×{r.height}
            </th>
            {withAspect && <td>{extra(r).aspect ?? '–'}</td>}
            <td>{r.codec}</td>
            <td>{bitrate(r.maxBitrateBps)}</td>
            <td>{bitrate(r.averageBitrateBps)}</td>
            <td data-psnr>{figure(r.psnrDb)}</td>
            <td data-ssim>{figure(r.ssim)}</td>
            {withVmaf && <td>{figure(extra(r).vmaf)}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
