// The volume ids iso-ks writes: at most 32 characters (the ISO 9660 field). Looser than volid.ts (which rules
// horno's own media) by `.` and `+`: iso-ks edits ISOs other tools made, and those two also work raw in GRUB's
// `search -l '...'` and a kernel's `LABEL=` without escaping or quoting.

import { VOLID_MAX } from './volid.ts';
const VOLID_CHARS = /^[A-Za-z0-9_.+-]+$/;

/** What is wrong with a volume id, or undefined when it is fine. */
export function volidProblem(volid: string): string | undefined {
  if (volid === '') return 'must not be empty';
  if (volid.length > VOLID_MAX)
    return `"${volid}" is ${volid.length} characters; an ISO volume id holds at most ${VOLID_MAX}`;
  if (!VOLID_CHARS.test(volid)) {
    const fixed = volid.replace(/[^A-Za-z0-9_.+-]/g, '-');
    return `"${volid}" has characters outside A-Z a-z 0-9 _ . + - (lorax writes "${fixed}")`;
  }
  return undefined;
}
