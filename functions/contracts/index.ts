/** Every area's contracts by operation id (the declaration's `operation`). */
import { catalogContracts } from './catalog.ts';
import { profilesContracts } from './profiles.ts';
import { recommendationsContracts } from './recommendations.ts';
import type { ContractMap } from './types.ts';
import { videosContracts } from './videos.ts';

export const contracts: ContractMap = {
  ...catalogContracts,
  ...videosContracts,
  ...profilesContracts,
  ...recommendationsContracts,
};
