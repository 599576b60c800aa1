// Files dropped anywhere on a screen and a paste outside any text field: the Inspect and Library
// screens both take their input this way.

function isTextEntry(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

/**
 * What a Ctrl/Cmd+V on the screen carries, or null when the paste belongs to a text field (or
 * carries nothing). A paste the screen takes is kept from the browser's default handling.
 */
export function screenPaste(event: ClipboardEvent): { files: File[]; text: string } | null {
  if (isTextEntry(event.target) || !event.clipboardData) return null;
  const files = [...event.clipboardData.files];
  const text = event.clipboardData.getData('text/plain');
  event.preventDefault();
  return { files, text };
}

/** The drag-and-drop handlers of a screen that takes dropped files; spread `handlers` on its root. */
export class FileDropZone {
  // dragenter/dragleave fire for every child crossed; count them to know when the drag really left.
  #depth = $state(0);
  readonly #ondropfiles: (files: File[]) => void;

  constructor(ondropfiles: (files: File[]) => void) {
    this.#ondropfiles = ondropfiles;
  }

  /** Files are being dragged over the screen: time to show where they can go. */
  get dragging(): boolean {
    return this.#depth > 0;
  }

  readonly handlers = {
    ondragenter: (event: DragEvent): void => {
      if (event.dataTransfer?.types.includes('Files')) this.#depth += 1;
    },
    ondragleave: (): void => {
      this.#depth = Math.max(0, this.#depth - 1);
    },
    ondragover: (event: DragEvent): void => {
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
    },
    ondrop: (event: DragEvent): void => {
      event.preventDefault();
      this.#depth = 0;
      this.#ondropfiles([...(event.dataTransfer?.files ?? [])]);
    },
  };
}
