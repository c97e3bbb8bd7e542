// The photo button: the phone's camera through <input type=file capture>, the original bytes
// kept as a Blob with their SHA-256 (the server's photo id) for the outbox.
// onchange({added, removed}): the photos just taken, the one just removed.
import { t } from '../i18n.js';
import { h, sha256Hex } from '../util.js';
import { icon } from '../icons.js';
import { kvGet } from '../idb.js';
import { preparePhoto } from '../upload.js';
import { keepOriginal } from '../originals.js';

const DEFAULT_MAX_MB = 25;

/** Why a picked file is not taken, or null: not an image, or larger than the policy's limit. */
export function refusePhoto(file, maxMb) {
  const type = String(file.type || '').toLowerCase();
  const name = String(file.name || '').toLowerCase();
  const looksImage = type ? type.startsWith('image/') : /\.(jpe?g|png|heic|heif|webp)$/.test(name);
  if (!looksImage) return t('photo_not_image', { name: file.name || '?' });
  if (file.size > maxMb * 1024 * 1024) {
    return t('photo_too_large', { name: file.name || '?', mb: (file.size / 1048576).toFixed(1), max: maxMb });
  }
  return null;
}

export function photoPicker({ photos, required = false, name = 'photo', onchange = () => {} }) {
  const thumbs = h('div', { class: 'thumbs' });
  const refused = h('p', { class: 'photo-refused', role: 'alert', hidden: true });
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
          if (!confirm(t('confirm_remove_photo'))) return;
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
    const policy = await kvGet('policy').catch(() => null);
    const photoPolicy = await kvGet('photo_policy').catch(() => null);
    const maxMb = (policy && policy.phone && policy.phone.max_photo_mb) || DEFAULT_MAX_MB;
    const problems = [];
    for (const file of input.files) {
      // refused before anything else: not a photo, or larger than the policy allows
      const why = refusePhoto(file, maxMb);
      if (why) { problems.push(why); continue; }
      const { blob, downscaled } = await preparePhoto(file);  // downscaled to the policy's long edge, EXIF kept
      const id = await sha256Hex(blob);
      // the company wants the camera's original too: kept, and sent later on Wi-Fi (originals.js)
      if (downscaled && photoPolicy && photoPolicy.send_originals_on_wifi) await keepOriginal(id, file).catch(() => {});
      if (!photos.some((p) => p.id === id)) {
        const p = { id, blob, name: file.name || 'photo.jpg' };
        photos.push(p);
        added.push(p);
      }
    }
    input.value = '';
    refused.textContent = problems.join(' ');
    refused.hidden = !problems.length;
    draw();
    mark();
    onchange({ added, removed: [] });
  });
  draw();
  return h('div', { class: 'photos' }, label, refused, thumbs);
}
