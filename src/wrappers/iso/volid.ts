// The rule for the volume ids horno gives its own media: at most 32 characters (the ISO 9660 field) from lorax's
// label set, so the same text works raw in `inst.stage2=hd:LABEL=...` and GRUB's `search -l`. Config validation
// and the lorax argv builder both ask here.

export const VOLID_MAX = 32;
const VOLID_CHARS = /^[A-Za-z0-9_-]+$/;

/** The problems of a volume id, as message tails after `volume id "<volid>" for <what>`. */
export function volidProblems(volid: string): { length?: string; chars?: string } {
  return {
    length:
      volid.length > VOLID_MAX ? `is ${volid.length} characters; ISO 9660 allows ${VOLID_MAX}` : undefined,
    chars: VOLID_CHARS.test(volid) ? undefined : 'may only hold A-Z a-z 0-9 _ -',
  };
}
