/**
 * Output presets: custom ones made with CreatePreset (kept in memory, like jobs) and system ones
 * looked up by name. A job's output that names a preset gets the preset's settings.
 */
import { BadRequestException } from './api-errors.ts';
import { ACCOUNT_ID, REGION } from './job.ts';
import { NamedResources } from './named-resources.ts';
import { type Json, requireObject } from './settings/checks.ts';
import { systemPresetSettings } from './system-presets.ts';

export interface Preset {
  name: string;
  type: 'CUSTOM' | 'SYSTEM';
  settings: Json;
  category?: string;
  description?: string;
  createdAt: Date;
}

/** Finds a preset's settings by name; how the settings readers see the catalog. */
export interface PresetLookup {
  settingsOf(name: string): Json | undefined;
}

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** The preset as CreatePreset/GetPreset return it. */
export function presetToWire(preset: Preset): Json {
  return {
    arn: `arn:aws:mediaconvert:${REGION}:${ACCOUNT_ID}:presets/${preset.name}`,
    name: preset.name,
    type: preset.type,
    category: preset.category,
    description: preset.description,
    settings: preset.settings,
    createdAt: seconds(preset.createdAt),
    lastUpdated: seconds(preset.createdAt),
  };
}

export class PresetCatalog implements PresetLookup {
  private readonly custom = new NamedResources<Preset>('preset');

  /**
   * CreatePreset. `check` reads the settings as an output would use them, so a preset that could
   * never run is refused now rather than in every job that names it.
   */
  create(body: Json, check: (settings: Json, at: string) => void): Preset {
    requireObject(body, 'the request body');
    const name = this.custom.checkNewName(body.name);
    if (name.startsWith('System-'))
      throw new BadRequestException('name: "System-" names are reserved for system presets');
    const settings = requireObject(body.settings, 'settings');
    check(settings, 'settings');
    return this.custom.add({
      name,
      type: 'CUSTOM',
      settings,
      category: body.category,
      description: body.description,
      createdAt: new Date(),
    });
  }

  /** GetPreset: a custom preset, or a system one built from its name. */
  get(name: string): Preset {
    return this.find(name) ?? this.custom.get(name);
  }

  /** ListPresets: the custom presets (system ones are found by name, not enumerated), optionally by category. */
  list(query: { category?: string; maxResults?: number; nextToken?: string; order?: string }) {
    const { page, nextToken } = this.custom.list(query);
    return { presets: page, nextToken };
  }

  /** DeletePreset. */
  delete(name: string): void {
    this.custom.delete(name);
  }

  settingsOf(name: string): Json | undefined {
    return this.find(name)?.settings;
  }

  private find(name: string): Preset | undefined {
    const custom = this.custom.find(name);
    if (custom) return custom;
    const settings = systemPresetSettings(name);
    return settings
      ? { name, type: 'SYSTEM', settings, category: 'SYSTEM', createdAt: new Date(0) }
      : undefined;
  }
}
