// The "Database State" view of the pgPreflight activity-bar container. Until the inspector exists it has no nodes,
// so VS Code shows its viewsWelcome content (a "Connect…" button). Nodes will be plain data (a discriminated union)
// mapped to TreeItems here, with the querying in src/inspector/ (the FTP sample's model/provider split).
import * as vscode from 'vscode';

export type DatabaseNode = { kind: 'message'; text: string };

export class DatabaseStateProvider implements vscode.TreeDataProvider<DatabaseNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<DatabaseNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private nodes: DatabaseNode[] = [];

  dispose(): void { this.changed.dispose(); }

  refresh(): void { this.changed.fire(undefined); }

  getTreeItem(node: DatabaseNode): vscode.TreeItem {
    const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
    item.contextValue = node.kind;
    return item;
  }

  getChildren(node?: DatabaseNode): DatabaseNode[] {
    return node ? [] : this.nodes;
  }
}
