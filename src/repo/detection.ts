/** Where a detected command came from, so users can see why Patchwright will run it. */
export interface Evidence {
  file: string;
  line: number;
  why: string;
}

export interface Detected {
  command: string;
  evidence: Evidence;
}

export interface EcosystemFinding {
  language: string;
  packageManager: string | null;
  setup: Detected[];
  test: Detected | null;
  lint: Detected | null;
  /** Why test is null, when it is. */
  testReason?: string;
}

export const at = (command: string, file: string, line: number, why: string): Detected => ({
  command,
  evidence: { file, line, why },
});
