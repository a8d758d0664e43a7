/** Videos: the library as a grid of posters with status, and drag-and-drop upload with progress. */
import { useState } from 'preact/hooks';
import { type MarqueeClient, unwrap, useLoad, useSession } from '../api.tsx';
import { ApiErrorMessage, Loaded } from '../components/status.tsx';
import { dateTime } from '../format.ts';
import { fetchPlayback, hasPlayback } from '../playback.ts';
import { Link, navigate } from '../router.tsx';
import { createUpload, send } from '../upload.ts';

type Video = Awaited<ReturnType<typeof loadLibrary>>['videos'][number];

const loadLibrary = (api: MarqueeClient) => unwrap(api.GET('/videos', { params: { query: { limit: 60 } } }));

export function VideosPage() {
  const library = useLoad(loadLibrary, []);
  return (
    <section>
      <h1>Videos</h1>
      <Uploader onUploaded={(assetId) => navigate(`/videos/${encodeURIComponent(assetId)}`)} />
      <h2>Library</h2>
      <Loaded result={library} what="the video library">
        {({ videos }) =>
          videos.length === 0 ? (
            <p class="muted">No videos yet: upload one above.</p>
          ) : (
            <ul class="video-grid" data-testid="library">
              {videos.map((video) => (
                <li key={video.assetId}>
                  <VideoCard video={video} />
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
    </section>
  );
}

function VideoCard({ video }: { video: Video }) {
  const session = useSession();
  const poster = useLoad(
    () =>
      video.status === 'READY' && hasPlayback(session)
        ? fetchPlayback(session, video.assetId).then((p) => p.posterUrl)
        : Promise.resolve(undefined),
    [video.assetId, video.status],
  );
  const title = video.title ?? video.filename;
  return (
    <Link href={`/videos/${encodeURIComponent(video.assetId)}`} class="video-card">
      {poster.state === 'ok' && poster.data ? (
        <img class="poster" src={poster.data} alt={`Poster of ${title}`} loading="lazy" />
      ) : (
        <span class="poster placeholder" aria-hidden="true">
          ▶
        </span>
      )}
      <span class={`status status-${video.status.toLowerCase()}`} data-status={video.status}>
        {video.status}
        {video.status === 'PROCESSING' && video.percent !== undefined ? ` ${video.percent}%` : ''}
      </span>
      <strong>{title}</strong>
      <span class="muted">{dateTime(video.createdAt)}</span>
    </Link>
  );
}

/** A drop zone and a file input (the keyboard's way in); shows the upload's real progress. */
function Uploader({ onUploaded }: { onUploaded(assetId: string): void }) {
  const { api, scopes } = useSession();
  const [progress, setProgress] = useState<number>();
  const [error, setError] = useState<Error>();
  const [over, setOver] = useState(false);
  const canWrite = scopes.has('write');

  async function upload(file: File) {
    setError(undefined);
    setProgress(0);
    try {
      const target = await createUpload(api, file);
      await send(target, file, setProgress);
      setProgress(1);
      onUploaded(target.assetId);
    } catch (failure) {
      setError(failure as Error);
      setProgress(undefined);
    }
  }

  return (
    // A drop target for the mouse; the file input inside is the keyboard's way to the same upload.
    <section
      aria-label="Upload a video"
      class={`drop-zone${over ? ' over' : ''}`}
      onDragOver={(event) => {
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(event) => {
        event.preventDefault();
        setOver(false);
        const file = event.dataTransfer?.files[0];
        if (file && canWrite) void upload(file);
      }}
    >
      <p>
        Drop a video here, or choose one. It goes straight to storage with a presigned URL; processing starts
        when it arrives.
      </p>
      <p>
        <label>
          Video file
          <input
            type="file"
            name="video"
            accept="video/*"
            disabled={!canWrite || progress !== undefined}
            onChange={(event) => {
              const file = (event.target as HTMLInputElement).files?.[0];
              if (file) void upload(file);
            }}
          />
        </label>
      </p>
      {!canWrite && <p class="notice">Uploading needs the write scope.</p>}
      {progress !== undefined && (
        <p>
          <label>
            Uploading{' '}
            <progress max={1} value={progress} data-testid="upload-progress">
              {Math.round(progress * 100)}%
            </progress>{' '}
            {Math.round(progress * 100)}%
          </label>
        </p>
      )}
      {error && <ApiErrorMessage error={error} what="the upload" />}
    </section>
  );
}
