/** A toolchain version a repository asks for, and where it says so. */
export interface ToolchainRequirement {
  tool: 'node' | 'python' | 'go' | 'rust';
  /** As written: `20`, `>=18.17`, `^20 || >=22`, `1.22`, `nightly`. */
  wants: string;
  /** `pin`: a version file a version manager installs exactly (.nvmrc); `min`: the oldest that works (engines, go.mod). */
  kind: 'pin' | 'min' | 'range';
  file: string;
  line: number;
}
