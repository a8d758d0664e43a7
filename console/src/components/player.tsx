/** An HLS player (hls.js, loaded when a video is opened) with a choice of rendition. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type Hls from 'hls.js';

interface Level {
  index: number;
  label: string;
}

export function HlsPlayer({
  src,
  poster,
  title,
  signRequest = (url) => url,
}: {
  src: string;
  poster?: string;
  title: string;
  /** Rewrites each playlist and segment URL before it is fetched (signed delivery). */
  signRequest?: (url: string) => string;
}) {
  const video = useRef<HTMLVideoElement>(null);
  const player = useRef<Hls | undefined>(undefined);
  const [levels, setLevels] = useState<Level[]>([]);
  const [chosen, setChosen] = useState(-1);
  const [playing, setPlaying] = useState<string>();
  const [error, setError] = useState<string>();
  // Read at each request: a new function on re-render must not restart playback.
  const sign = useRef(signRequest);
  sign.current = signRequest;

  useEffect(() => {
    let disposed = false;
    void import('hls.js').then(({ default: HlsClass }) => {
      const element = video.current;
      if (disposed || !element) return;
      if (!HlsClass.isSupported()) {
        // Safari plays HLS natively.
        element.src = src;
        return;
      }
      const hls = new HlsClass({
        capLevelToPlayerSize: false,
        // Opening the request here makes hls.js use this URL instead of the bare one.
        xhrSetup: (xhr, url) => xhr.open('GET', sign.current(url), true),
      });
      player.current = hls;
      hls.on(HlsClass.Events.MANIFEST_PARSED, (_e, data) =>
        setLevels(
          data.levels.map((level, index) => ({
            index,
            label: `${level.height}p · ${Math.round(level.bitrate / 1000)} kbit/s`,
          })),
        ),
      );
      hls.on(HlsClass.Events.LEVEL_SWITCHED, (_e, data) => {
        const level = hls.levels[data.level];
        if (level) setPlaying(`${level.height}p`);
      });
      hls.on(HlsClass.Events.ERROR, (_e, data) => {
        if (data.fatal)
          setError(`${data.type}: ${data.details}${data.response ? ` (HTTP ${data.response.code})` : ''}`);
      });
      hls.loadSource(src);
      hls.attachMedia(element);
    });
    return () => {
      disposed = true;
      player.current?.destroy();
      player.current = undefined;
    };
  }, [src]);

  return (
    <div class="player">
      <video
        ref={video}
        controls
        muted
        playsInline
        poster={poster}
        aria-label={`Player: ${title}`}
        data-testid="player"
      />
      <fieldset class="renditions">
        <legend>Rendition {playing ? `(playing ${playing})` : ''}</legend>
        {[{ index: -1, label: 'Automatic' }, ...levels].map((level) => (
          <label key={level.index}>
            <input
              type="radio"
              name="rendition"
              checked={chosen === level.index}
              onChange={() => {
                setChosen(level.index);
                if (player.current) player.current.currentLevel = level.index;
              }}
            />
            {level.label}
          </label>
        ))}
      </fieldset>
      {error && (
        <p class="error" role="alert">
          The player failed: {error}
        </p>
      )}
    </div>
  );
}
