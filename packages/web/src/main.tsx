// Entry: styles, link interception, then the app.
import { render } from 'preact';
import { App } from './app';
import { interceptLinks } from './state/route';
import './styles.css';

interceptLinks();
render(<App />, document.getElementById('app')!);
