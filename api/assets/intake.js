// Window work around a case's intake: print the receipt (收件回执); ask before an act that cannot be undone;
// send a form once (a second click on
// the intake's button would answer with the case already started, without its query code); and on the case
// page refuse a material larger than the server takes before it is sent (the server checks again and says
// the same in place). The receipt answering an intake form drops the form's draft (drafts.js): the server
// took it; unless it says what was typed differs from the case already under that number and was not used,
// which the clerk may still want for another case number.
import { dropAnswered } from './drafts.js';

for (const button of document.querySelectorAll('[data-print]')) {
  button.addEventListener('click', () => window.print());
}

function sendOnce(form) {
  // A send the size check stopped leaves the button as it was. The intake form's send is always stopped by
  // form.js where a bundle's form-js form is drawn, which then sends the form itself.
  form.addEventListener('submit', (event) => {
    if (event.defaultPrevented && !form.matches('.intake-form')) {
      return;
    }
    for (const button of form.querySelectorAll('button[type=submit]')) {
      button.disabled = true;  // the send goes on: its entries (none from the buttons) are read after this
    }
  });
}

for (const form of document.querySelectorAll('form.material-upload')) {
  form.addEventListener('submit', (event) => {
    const input = form.querySelector('input[type=file]');
    const box = form.querySelector('.upload-error');
    const limit = Number(form.dataset.maxBytes);
    const file = input && input.files && input.files[0];
    if (file && limit && file.size > limit) {
      event.preventDefault();
      box.textContent = form.dataset.tooLarge;
      box.hidden = false;
      input.setAttribute('aria-invalid', 'true');
    }
  });
  sendOnce(form);
}

// An act that cannot be undone (recording that a member did not attend, which ends its ballot) asks first:
// the form's data-confirm is the question, with what was typed in its reason.
for (const form of document.querySelectorAll('form[data-confirm]')) {
  form.addEventListener('submit', (event) => {
    const reason = form.querySelector('input[name=reason]');
    const question = form.dataset.confirm.replace('{reason}', reason ? reason.value.trim() : '');
    if (!window.confirm(question)) {
      event.preventDefault();
    }
  });
}

const intake = document.querySelector('form.intake-form');
if (intake) {
  sendOnce(intake);
}

if (document.getElementById('receipt-number') && !document.querySelector('.intake-differing')) {
  dropAnswered();
}
