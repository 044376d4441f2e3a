"""The participant portal: self-service pages for the public employment services of SE and DK."""
