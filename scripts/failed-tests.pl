# Prints each failed test of xUnit result files with the first lines of its message.
local $/;
while (my $xml = <>) {
  while ($xml =~ /<test [^>]*name="([^"]*)"[^>]*result="Fail"[^>]*>.*?<message>(.*?)<\/message>/sg) {
    my ($name, $message) = ($1, $2);
    for ($message) { s/&lt;/</g; s/&gt;/>/g; s/&quot;/"/g; s/&apos;/'/g; s/&#xD;//g; s/&#xA;/\n/g; s/&amp;/&/g; }
    my @lines = (split /\n/, $message)[0 .. 3];
    print "FAILED $name\n", map({ defined $_ ? "    $_\n" : () } @lines);
  }
}
