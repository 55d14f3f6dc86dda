/** The runs panel's webview type (package.json `onWebviewPanel:grove.runs`); its own module so activation can register the serializer without loading the panel. */
export const PANEL_VIEW_TYPE = 'grove.runs';
