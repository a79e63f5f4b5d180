/** Media sources and RTP helpers: Opus tone/speech, synthetic VP8, packetizer, Opus decoding. */
export * from './pcm-signal.js';
export * from './opus-source.js';
export * from './opus-decode.js';
export * from './opus-rtp.js';
export * from './rtp-packetizer.js';
export * from './vp8.js';
export * from './vp8-descriptor.js';
export * from './audio-frame.js';
export * from './jitter-buffer.js';
export * from './opus-concealing-decoder.js';
export * from './reframe.js';
export * from './remote-audio.js';
export * from './pace.js';
export * from './opus-publish.js';
export * from './mix-audio.js';
export * from './vp8-depacketizer.js';
export * from './remote-video.js';
