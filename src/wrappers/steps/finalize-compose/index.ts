// finalize-compose: close a compose the way pungi does, as two phases and a close hook. finalize-media moves and
// checksums the media, finalize-metadata writes the productmd metadata, and its close hook writes STATUS
// (FINISHED, or FINISHED_INCOMPLETE when failable units failed) and the latest link. Both refuse while a required
// unit of an earlier step is still failed, or when new media would enter a FINISHED compose.
export { finalizeMedia, type MediaOptions } from './media-step.ts';
export { finalizeMetadata, type MetadataOptions } from './metadata-step.ts';
export { FINALIZE_STEPS } from './outcome.ts';
export type { OpenFailure } from './earlier-failures.ts';
