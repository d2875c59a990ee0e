/** The action's outputs; each mode fills the ones it knows. */
export interface ModeOutputs {
  'compose-file': string;
  'config-dir': string;
  updated: string;
  'trigger-status': string;
}

/** What a mode did: summary lines, and its outputs. */
export interface ModeResult {
  lines: string[];
  outputs: Partial<ModeOutputs>;
}
