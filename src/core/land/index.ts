/**
 * Landing a result (issue 11), pure git. Wire it with one call:
 *   const record = await land(source, { how: 'squash', into: 'main' });
 * See land.ts for the contract and types.ts for the shapes; draft* give the editor the texts to edit.
 */
export { land } from './land';
export { LandRefusal, isLandRefusal, type LandHow, type LandOptions, type LandRecord, type LandRefusalReason, type LandSource } from './types';
export { draftCommitMessage, draftMergeMessage, draftTitle, draftBody } from './message';
export { defaultBranchName } from './branchName';
