// Upload progress on the payment files page (templates/payments/imports.html).
// Without JavaScript the form posts as usual; with it the file goes by
// XMLHttpRequest so the page can show how much has been sent. The server keeps the
// file, has a worker import it and redirects to the upload's own page, which shows
// how far the checking and posting have got (payments/upload_status.html, polled by
// htmx); the browser follows to wherever the redirect led (the totals, when the import
// ran at once). A form with errors comes back as this page, whose main content
// replaces this one's.
const form = document.querySelector("form[data-upload-progress]");
const box = document.getElementById("upload-progress");
const bar = document.getElementById("upload-progress-bar");
const status = document.getElementById("upload-progress-status");

function show(percent, text) {
  box.hidden = false;
  bar.value = percent;
  bar.textContent = `${percent}%`;
  status.textContent = text;
}

if (form && box && window.FormData && window.XMLHttpRequest) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const request = new XMLHttpRequest();
    request.open("POST", form.action || window.location.href);
    request.upload.addEventListener("progress", (progress) => {
      if (progress.lengthComputable) {
        const percent = Math.round((progress.loaded / progress.total) * 100);
        show(percent, `Uploading the file: ${percent}% sent`);
      }
    });
    request.upload.addEventListener("load", () => {
      show(100, "File sent. Checking every line…");
    });
    request.addEventListener("load", () => {
      if (request.status < 400 && request.responseURL !== window.location.href) {
        window.location.assign(request.responseURL);
        return;
      }
      const page = new DOMParser().parseFromString(request.responseText, "text/html");
      const main = page.querySelector("main");
      if (main) {
        document.querySelector("main").replaceWith(main);
        window.scrollTo(0, 0);
      } else {
        form.submit();
      }
    });
    request.addEventListener("error", () => {
      show(0, "The upload failed. Check your connection and try again.");
    });
    show(0, "Uploading the file…");
    request.send(new FormData(form));
  });
}
