/**
 * MediaConvert's system presets, by name. The service ships hundreds, named by a fixed scheme
 * (`System-Ott_Hls_Ts_Avc_Aac_16x9_1280x720p_30Hz_3.5Mbps`, `System-Ott_Dash_Mp4_Aac_He_96Kbps`,
 * `System-Generic_Hd_Mp4_Avc_Aac_16x9_1920x1080p_24Hz_6Mbps`); their exact settings are not
 * published, so the local endpoint builds each one from its name: the packaging (Hls_Ts, Dash_Mp4,
 * Cmaf_Cmfc, Mp4), the codecs (Avc, Hevc, Aac), the picture size and the bit rate. It is an
 * approximation: QVBR level 7 capped at the named rate for video, AAC at 96 kb/s beside video (at
 * the named rate when the preset is audio-only), the frame rate kept from the source.
 */
import type { Json } from './settings/checks.ts';

const PACKAGING: [token: string, container: string][] = [
  ['Hls', 'M3U8'],
  ['Dash', 'MPD'],
  ['Cmaf', 'CMFC'],
  ['Mp4', 'MP4'],
];

/** Bits/s from a name's rate token (`3.5Mbps`, `96Kbps`), or undefined. */
function rateOf(tokens: string[]): number | undefined {
  for (const token of tokens) {
    const match = /^(\d+(?:\.\d+)?)(Mbps|Kbps|kbps)$/.exec(token);
    if (match) return Math.round(Number(match[1]) * (match[2] === 'Mbps' ? 1_000_000 : 1000));
  }
  return undefined;
}

function sizeOf(tokens: string[]): { width: number; height: number } | undefined {
  for (const token of tokens) {
    const match = /^(\d+)x(\d+)p$/.exec(token);
    if (match) return { width: Number(match[1]), height: Number(match[2]) };
  }
  return undefined;
}

function aacDescription(bitrate: number, heAac: boolean): Json {
  return {
    audioSourceName: 'Audio Selector 1',
    codecSettings: {
      codec: 'AAC',
      aacSettings: {
        bitrate,
        codingMode: 'CODING_MODE_2_0',
        sampleRate: 48_000,
        codecProfile: heAac ? 'HEV1' : 'LC',
        rateControlMode: 'CBR',
      },
    },
  };
}

/** The settings of the system preset called `name` (PresetSettings, wire shape), or undefined when the name does not follow the scheme. */
export function systemPresetSettings(name: string): Json | undefined {
  if (!name.startsWith('System-')) return undefined;
  const tokens = name.slice('System-'.length).split('_');
  const container = PACKAGING.find(([token]) => tokens.includes(token))?.[1];
  const videoCodec = tokens.includes('Hevc') ? 'H_265' : tokens.includes('Avc') ? 'H_264' : undefined;
  const audio = tokens.includes('Aac');
  const rate = rateOf(tokens);
  const size = sizeOf(tokens);
  if (!container || !rate || (!videoCodec && !audio) || (videoCodec && !size)) return undefined;
  const heAac = tokens.includes('He');
  const settings: Json = { containerSettings: { container } };
  if (videoCodec) {
    const codecSettingsName = videoCodec === 'H_264' ? 'h264Settings' : 'h265Settings';
    settings.videoDescription = {
      ...size,
      codecSettings: {
        codec: videoCodec,
        [codecSettingsName]: {
          rateControlMode: 'QVBR',
          qvbrSettings: { qvbrQualityLevel: 7 },
          maxBitrate: rate,
          gopSizeUnits: 'AUTO',
          framerateControl: 'INITIALIZE_FROM_SOURCE',
        },
      },
    };
  }
  if (audio) settings.audioDescriptions = [aacDescription(videoCodec ? 96_000 : rate, heAac)];
  return settings;
}
