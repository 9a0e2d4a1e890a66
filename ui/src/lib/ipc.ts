// The shell's commands and events, typed. Every call lands in a few lines of `src-tauri` that
// hand it to the desk core.

import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type {
  ActivityReport,
  AgentSummary,
  AttachmentView,
  CommandFailure,
  DeskSnapshot,
  FileId,
  LiveUpdate,
  PresenceRequest,
  QueueSummary,
  ReportQuery,
  SearchResultView,
  Settings,
  TemplateChoice,
  TranscriptView,
  TransferTarget,
  Update,
} from './types';

export interface Start {
  settings: Settings;
  /// A remembered session was resumed: its desk arrives as a snapshot event.
  signed_in: boolean;
}

export const shell = {
  start: () => invoke<Start>('start'),
  signIn: (server: string, email: string, password: string) =>
    invoke<void>('sign_in', { server, email, password }),
  signOut: () => invoke<void>('sign_out'),
  snapshot: () => invoke<DeskSnapshot>('snapshot'),
  setPresence: (presence: PresenceRequest) => invoke<void>('set_presence', { presence }),
  answer: (conversation: string, accept: boolean) =>
    invoke<void>('answer', { conversation, accept }),
  /// A toast selected: an offer it is about is accepted first.
  open: (conversation: string) => invoke<void>('open', { conversation }),
  answerCurrent: (accept: boolean) => invoke<string>('answer_current', { accept }),
  sendMessage: (conversation: string, text: string, files: FileId[] = []) =>
    invoke<void>('send_message', { conversation, text, files }),
  /// Whether a file the agent picked may be sent, asked before it is read.
  checkFile: (conversation: string, name: string, size: number) =>
    invoke<void>('check_file', { conversation, name, size }),
  /// The file's bytes cross raw; its conversation and name ride in headers (ASCII only).
  uploadFile: (conversation: string, name: string, bytes: Uint8Array) =>
    invoke<AttachmentView>('upload_file', bytes, {
      headers: { 'x-conversation': encodeURIComponent(conversation), 'x-file-name': encodeURIComponent(name) },
    }),
  fileContent: (conversation: string, file: FileId) => invoke<ArrayBuffer>('file_content', { conversation, file }),
  /// A picture the channel keeps (attachment `index` of message `message`), fetched by the core.
  channelPicture: (conversation: string, message: number, index: number) =>
    invoke<ArrayBuffer>('channel_picture', { conversation, message, index }),
  /// Saved into the Downloads folder: the path it was saved at.
  saveFile: (conversation: string, file: FileId, name: string) =>
    invoke<string>('save_file', { conversation, file, name }),
  sendNote: (conversation: string, text: string) => invoke<void>('send_note', { conversation, text }),
  templates: (conversation: string, search: string) =>
    invoke<TemplateChoice[]>('templates', { conversation, search }),
  insertTemplate: (conversation: string, shortcut: string) =>
    invoke<string>('insert_template', { conversation, shortcut }),
  /// The draft changed (`empty`: nothing left in it): fire and forget.
  drafted: (conversation: string, empty: boolean) => void invoke<void>('drafted', { conversation, empty }).catch(() => {}),
  end: (conversation: string, wrapUp: string) => invoke<void>('end', { conversation, wrapUp }),
  exitConference: (conversation: string, wrapUp: string) =>
    invoke<void>('exit_conference', { conversation, wrapUp }),
  transfer: (conversation: string, to: TransferTarget, note: string) =>
    invoke<void>('transfer', { conversation, to, note }),
  park: (conversation: string) => invoke<void>('park', { conversation }),
  escalate: (conversation: string, queue: string, reason: string) =>
    invoke<void>('escalate', { conversation, queue, reason }),
  invite: (conversation: string, agent: string) => invoke<void>('invite', { conversation, agent }),
  queues: (search: string) => invoke<QueueSummary[]>('queues', { search }),
  agents: (search: string) => invoke<AgentSummary[]>('available_agents', { search }),
  wrapUpReasons: (search: string) => invoke<string[]>('wrap_up_reasons', { search }),
  markRead: (conversation: string) => invoke<void>('mark_read', { conversation }),
  /// The page of the thread before the bubbles the pane has.
  showEarlier: (conversation: string) => invoke<void>('show_earlier', { conversation }),
  /// The agent's ended conversations matching `query`, and one of them to read.
  search: (query: string, everyone: boolean) =>
    invoke<SearchResultView[]>('search_conversations', { query, everyone }),
  report: (query: ReportQuery) => invoke<ActivityReport>('report', { query }),
  exportReport: (query: ReportQuery) => invoke<string>('export_report', { query }),
  transcript: (conversation: string, customer: string) =>
    invoke<TranscriptView>('transcript', { conversation, customer }),
  saveSettings: (settings: Settings) => invoke<void>('save_settings', { settings }),
  // A supervisor's: the server refuses them to an agent.
  /// The live view as the core knows it so far; the server's pushes follow as updates.
  watchLive: (watch: boolean) => invoke<LiveUpdate>('watch_live', { watch }),
  monitor: (conversation: string) => invoke<void>('monitor', { conversation }),
  stopMonitoring: (conversation: string) => invoke<void>('stop_monitoring', { conversation }),
  barge: (conversation: string) => invoke<void>('barge', { conversation }),
  setAgentPresence: (agent: string, presence: PresenceRequest, reason: string) =>
    invoke<void>('set_agent_presence', { agent, presence, reason }),
  signOutAgent: (agent: string, reason: string) => invoke<void>('sign_out_agent', { agent, reason }),
  assign: (conversation: string, agent: string) => invoke<void>('assign', { conversation, agent }),
  moveToQueue: (conversation: string, queue: string) => invoke<void>('move_to_queue', { conversation, queue }),
};

export const events = {
  update: (handler: (update: Update) => void): Promise<UnlistenFn> =>
    listen<Update>('desk://update', (event) => handler(event.payload)),
  /// A toast or notification was selected in the OS: show that conversation.
  open: (handler: (conversation: string) => void): Promise<UnlistenFn> =>
    listen<string>('desk://open', (event) => handler(event.payload)),
  /// The desk in full: first after signing in, and whenever the window must redraw. Updates
  /// follow it in order.
  snapshot: (handler: (snapshot: DeskSnapshot) => void): Promise<UnlistenFn> =>
    listen<DeskSnapshot>('desk://snapshot', (event) => handler(event.payload)),
  signedOut: (handler: () => void): Promise<UnlistenFn> =>
    listen<null>('desk://signed-out', () => handler()),
  /// Signing in as the app started found no server yet; the shell tries again shortly.
  waitingForServer: (handler: () => void): Promise<UnlistenFn> =>
    listen<null>('desk://waiting-for-server', () => handler()),
};

/// A failed command as the shell reports it.
export function failure(error: unknown): CommandFailure {
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    return { code: typeof code === 'string' ? code : 'failed', message: String(message) };
  }
  return { code: 'failed', message: String(error) };
}
