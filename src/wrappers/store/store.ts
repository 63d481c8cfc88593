// The artifact store contract: lorax tarballs and images go up from builders and come down to the compose host.
// Two backends, one interface: S3 (@aws-sdk/client-s3) and a file:// folder. Every object's sha256 is recorded
// at upload and checked at download, because S3-compatible servers do not all keep checksums.

export interface StoredObject {
  key: string;
  size: number;
  lastModified: Date;
  /** Recorded at upload (S3 user metadata, or a sidecar for the file store). */
  sha256?: string;
}

export interface PutOptions {
  contentType?: string;
  /** Known digest of the file (else computed before the upload: S3 takes metadata with the first request). */
  sha256?: string;
  onBytes?: (n: number) => void;
}

export interface GetOptions {
  /** Check the recorded sha256 while streaming (default true); a mismatch leaves no file behind. */
  verify?: boolean;
  onBytes?: (n: number) => void;
  signal?: AbortSignal;
}

export interface ArtifactStore {
  /** Where it points, for logs (never with credentials). */
  readonly url: string;
  put(key: string, file: string, opts?: PutOptions): Promise<StoredObject>;
  /** Streams the object to `dest` (temp name, then rename). */
  get(key: string, dest: string, opts?: GetOptions): Promise<StoredObject>;
  head(key: string): Promise<StoredObject | undefined>;
  /** Every object under `prefix`, following pagination. Listings may leave `sha256` out (S3 returns no user
   * metadata there): head() has it. */
  list(prefix: string): AsyncIterable<StoredObject>;
  delete(key: string): Promise<void>;
}
