/** Every area's contracts by operation id (the declaration's `operation`). */
import { catalogContracts } from './catalog.ts';
import type { ContractMap } from './types.ts';

export const contracts: ContractMap = {
  ...catalogContracts,
};
