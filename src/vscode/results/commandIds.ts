/** The Results view's command ids, in their own module so activation can list them without loading the feature. */
export const RESULT_COMMAND_IDS = [
  'grove.results.refresh', 'grove.results.reviewChanges', 'grove.results.openFileDiff', 'grove.results.showOutput',
  'grove.results.continue', 'grove.results.openWorktree', 'grove.results.openInNewWindow', 'grove.results.discard',
  'grove.results.keep', 'grove.results.compare', 'grove.results.compareVariants', 'grove.results.addComment',
  'grove.results.deleteComment', 'grove.results.sendReview', 'grove.results.restoreParked', 'grove.results.dropParked',
  'grove.results.land', 'grove.results.rerunAllowing',
] as const;

export type ResultCommandId = (typeof RESULT_COMMAND_IDS)[number];
