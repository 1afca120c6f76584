import { mount } from 'svelte'
import '../app.css'
import './portal.css'
import Portal from './Portal.svelte'

mount(Portal, { target: document.getElementById('portal') })

// The installed portal opens its shell offline; the API always goes to the network.
if ('serviceWorker' in navigator && location.protocol !== 'file:') {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/portal/sw.js', { scope: '/portal/' }).catch(() => {})
  })
}
