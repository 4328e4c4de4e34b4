// Small enhancements; every page works without them.
//  - <button data-copy="ID"> copies the text of element ID.
//  - <a data-dialog="ID"> opens <dialog id=ID> instead of following the
//    link to its confirmation page; [data-close] inside closes it.
document.addEventListener('click', function (event) {
  var button = event.target.closest('[data-copy]');
  if (!button || !navigator.clipboard) return;
  var source = document.getElementById(button.getAttribute('data-copy'));
  if (!source) return;
  navigator.clipboard.writeText(source.textContent.trim()).then(function () {
    button.textContent = 'Copied';
  });
});

document.addEventListener('click', function (event) {
  var opener = event.target.closest('[data-dialog]');
  if (opener) {
    var dialog = document.getElementById(opener.getAttribute('data-dialog'));
    if (dialog && typeof dialog.showModal === 'function') {
      event.preventDefault();
      dialog.showModal();
    }
    return;
  }
  var closer = event.target.closest('[data-close]');
  if (closer) {
    var open = closer.closest('dialog');
    if (open) open.close();
  }
});
