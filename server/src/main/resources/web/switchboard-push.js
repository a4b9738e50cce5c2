// Switchboard's push worker: shows the notification the server sends a guest whose place is kept ("an agent is
// ready for you"), and opens the chat when it is clicked. A site that embeds the widget serves this file from its own
// origin (a service worker must come from the page's origin) and names it on the widget's tag:
//   <script src="https://SWITCHBOARD/widget.js" data-push-worker="/switchboard-push.js" async></script>
"use strict";

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (e) {
    data = {};
  }
  event.waitUntil(self.registration.showNotification(data.title || "Someone is ready for you", {
    body: data.body || "Open the chat to keep your place.",
    data: { url: data.url || "/" },
    tag: "switchboard",
    requireInteraction: true,
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(self.clients.openWindow(event.notification.data.url));
});
