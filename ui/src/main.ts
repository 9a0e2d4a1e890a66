// First: a language tag every library can format with (see the module).
import './lib/language-tag';
import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';

mount(App, { target: document.getElementById('app')! });
