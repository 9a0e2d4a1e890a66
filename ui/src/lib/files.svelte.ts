// Files in the window: their sizes as people read them, stored pictures fetched once through the
// core and kept as object URLs, and the files an agent attaches to the message they are writing.

import { MAX_FILES_PER_MESSAGE } from './contract';
import { failure, shell } from './ipc';
import type { AttachmentView, FileId } from './types';

/// A file's size as people read it.
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/// Pictures kept at once: a busy thread's, without holding every picture of the day.
const KEPT_PICTURES = 60;
const pictures = new Map<string, Promise<string>>();

/// Where a picture comes from: a stored file, or attachment `index` of message `message` that the
/// channel keeps.
export interface PictureOf {
  conversation: string;
  message: number;
  index: number;
  attachment: AttachmentView;
}

/// An object URL for a picture, fetched once through the core. The oldest is let go past
/// KEPT_PICTURES (a picture already drawn stays drawn).
export function pictureUrl({ conversation, message, index, attachment }: PictureOf): Promise<string> {
  const file = attachment.file;
  const key = file ?? `${conversation}/${message}/${index}`;
  const kept = pictures.get(key);
  if (kept) {
    // Used again: the newest.
    pictures.delete(key);
    pictures.set(key, kept);
    return kept;
  }
  const bytes = file !== null ? shell.fileContent(conversation, file) : shell.channelPicture(conversation, message, index);
  const fetched = bytes.then((content) =>
    // The core let only pictures through; the type is for the engine to decode them by.
    URL.createObjectURL(new Blob([content], { type: attachment.kind?.includes('/') ? attachment.kind : 'image/*' })),
  );
  // A failure is not kept: the next look tries again.
  fetched.catch(() => pictures.delete(key));
  pictures.set(key, fetched);
  while (pictures.size > KEPT_PICTURES) {
    const [oldest, url] = pictures.entries().next().value!;
    pictures.delete(oldest);
    url.then(URL.revokeObjectURL, () => {});
  }
  return fetched;
}

/// A file the agent attached to the message they are writing.
export interface PendingFile {
  key: number;
  name: string;
  size: number;
  /// Uploaded: what the message will carry.
  uploaded: AttachmentView | null;
  /// Refused (too large, a type the server does not take…), in words.
  problem: string | null;
}

let nextKey = 1;

/// The files of a message being written: each checked, read and uploaded as it is attached,
/// so that a refusal shows at once rather than when the agent presses Send.
export class Attachments {
  files = $state<PendingFile[]>([]);

  constructor(private readonly conversation: string) {}

  /// Uploaded and none still on its way or refused: what Send carries.
  get ready(): FileId[] | null {
    if (this.files.some((file) => file.uploaded === null)) return null;
    return this.files.map((file) => file.uploaded!.file!);
  }

  get uploading(): boolean {
    return this.files.some((file) => file.uploaded === null && file.problem === null);
  }

  /// Attaches `picked`; past MAX_FILES_PER_MESSAGE the rest are left out, and `tooMany` says so.
  async add(picked: File[], tooMany: () => void) {
    const room = MAX_FILES_PER_MESSAGE - this.files.length;
    if (picked.length > room) tooMany();
    await Promise.all(picked.slice(0, Math.max(0, room)).map((file) => this.upload(file)));
  }

  remove(key: number) {
    this.files = this.files.filter((file) => file.key !== key);
  }

  clear() {
    this.files = [];
  }

  private async upload(file: File) {
    const key = nextKey++;
    this.files.push({ key, name: file.name, size: file.size, uploaded: null, problem: null });
    const settle = (change: Partial<PendingFile>) => {
      const entry = this.files.find((pending) => pending.key === key);
      if (entry) Object.assign(entry, change);
    };
    try {
      await shell.checkFile(this.conversation, file.name, file.size);
      const bytes = new Uint8Array(await file.arrayBuffer());
      settle({ uploaded: await shell.uploadFile(this.conversation, file.name, bytes) });
    } catch (error) {
      settle({ problem: failure(error).message });
    }
  }
}
