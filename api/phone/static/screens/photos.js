// The photo button: the phone's camera through <input type=file capture>, the original bytes
// kept as a Blob with their SHA-256 (the server's photo id) for the outbox.
// onchange({added, removed}): the photos just taken, the one just removed.
import { t } from '../i18n.js';
import { h, sha256Hex } from '../util.js';
import { icon } from '../icons.js';
import { preparePhoto } from '../upload.js';

export function photoPicker({ photos, required = false, name = 'photo', onchange = () => {} }) {
  const thumbs = h('div', { class: 'thumbs' });
  const input = h('input', { type: 'file', accept: 'image/*', capture: 'environment', multiple: true, name, class: 'file' });
  const label = h('label', { class: 'photo-button' },
    input, icon('camera'), h('span', {}, t('take_photo'), required ? ` (${t('required')})` : ''));
  // red while a required photo is missing
  const mark = () => label.classList.toggle('required', required && !photos.length);
  mark();

  function draw() {
    thumbs.replaceChildren(...photos.map((p, i) => {
      if (!p.url) p.url = URL.createObjectURL(p.blob);
      return h('span', { class: 'thumb' }, h('img', { src: p.url, alt: '' }),
        h('button', { type: 'button', class: 'remove', 'aria-label': t('remove_photo'), onclick: () => {
          URL.revokeObjectURL(p.url);
          photos.splice(i, 1);
          draw();
          mark();
          onchange({ added: [], removed: [p] });
        } }, '×'));
    }));
  }

  input.addEventListener('change', async () => {
    const added = [];
    for (const file of input.files) {
      const { blob } = await preparePhoto(file);  // downscaled to the policy's long edge, EXIF kept
      const id = await sha256Hex(blob);
      if (!photos.some((p) => p.id === id)) {
        const p = { id, blob, name: file.name || 'photo.jpg' };
        photos.push(p);
        added.push(p);
      }
    }
    input.value = '';
    draw();
    mark();
    onchange({ added, removed: [] });
  });
  draw();
  return h('div', { class: 'photos' }, label, thumbs);
}
