/** Every area's contracts by operation id (the declaration's `operation`). */
import { catalogContracts } from './catalog.ts';
import { experimentsContracts } from './experiments.ts';
import { healthContracts } from './health.ts';
import { profilesContracts } from './profiles.ts';
import { recommendationsContracts } from './recommendations.ts';
import type { ContractMap } from './types.ts';
import { videosContracts } from './videos.ts';

export const contracts: ContractMap = {
  ...healthContracts,
  ...catalogContracts,
  ...videosContracts,
  ...profilesContracts,
  ...recommendationsContracts,
  ...experimentsContracts,
};
