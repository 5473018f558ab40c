/** The SFU's public surface; server code imports from here. */
export { Sfu } from './sfu';
export { RoomMedia } from './room-media';
export { WorkerPool, type Placement, type WorkerDiedInfo } from './worker-pool';
export { loadSfuConfig, type SfuConfig, type IceServer } from './config';
export { ensureWorkerBinEnv, loadMediasoup, cachedWorkerPath } from './worker-bin';
export { MEDIA_CODECS } from './codecs';
export * from './types';
